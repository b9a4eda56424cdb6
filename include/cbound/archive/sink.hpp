// cbound::archive — write_callbacks: where a writer's bytes go, as functions the caller supplies.
//
//     cbound::archive::write_callbacks out{.write = [&](std::span<std::byte const> b) { send(b); }};
//     auto w = cbound::archive::writer::open_callbacks(std::move(out), cbound::archive::format::pax);
//
// The reader's counterpart is read_source (source.hpp), opened by reader::open_callbacks.
// libarchive calls these functions from C frames: an exception they throw is held while the
// C call unwinds and rethrown by the writer (detail/write_sink.hpp has the trampolines).
#pragma once

#include <cstddef>
#include <functional>
#include <span>

namespace cbound::archive {

/// Functions that receive a writer's bytes; each one reports failure by throwing.
struct write_callbacks {
    std::function<void()> open{};                            ///< before the first write (optional)
    std::function<void(std::span<std::byte const>)> write{}; ///< consumes all the bytes (required)
    std::function<void()> close{};                           ///< after the last write (optional)
    std::function<void()> abort{};                           ///< instead of close when abandoned (optional)
};

} // namespace cbound::archive
