// cbound::archive — write_callbacks: where a writer's bytes go, as functions the caller supplies.
//
//     cbound::archive::write_callbacks out{.write = [&](std::span<std::byte const> b) { send(b); }};
//     auto w = cbound::archive::writer::open_callbacks(std::move(out), cbound::archive::format::pax);
//
// The reader's counterpart is read_source (source.hpp), opened by reader::open_callbacks.
// libarchive calls these functions from C frames: an exception they throw is held while the
// C call unwinds and rethrown by the writer (detail/write_sink.hpp has the trampolines).
#pragma once

#include <cbound/callback.hpp>

#include <cstddef>
#include <span>

namespace cbound::archive {

/// Functions that receive a writer's bytes; each one reports failure by throwing.
struct write_callbacks {
    cbound::callback<void()> open{};                            ///< before the first write (optional)
    cbound::callback<void(std::span<std::byte const>)> write{}; ///< consumes all the bytes (required)
    cbound::callback<void()> close{};                           ///< after the last write (optional)
    cbound::callback<void()> abort{};                           ///< instead of close when abandoned (optional)
};

} // namespace cbound::archive
