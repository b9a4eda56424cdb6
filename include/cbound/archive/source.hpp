// cbound::archive — read_source: an archive read from functions the caller supplies.
//
//     cbound::archive::read_source src{.read = [&] { return next_chunk(); }};
//     auto r = cbound::archive::reader::open_callbacks(std::move(src));
//
// The writer's counterpart is write_callbacks (sink.hpp), opened by writer::open_callbacks.
// libarchive calls these functions from C frames: an exception they throw is held while the
// C call unwinds and rethrown by the reader (detail/read_source.hpp has the trampolines).
#pragma once

#include <cbound/callback.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace cbound::archive {

/// An archive source made of functions; only `read` is required.
struct read_source {
    /// Returns the next bytes of the archive (empty at the end); they must stay valid until the next call.
    cbound::callback<std::span<std::byte const>()> read{};
    /// Optional: skips up to `n` bytes forward and returns how many it skipped (0: read through instead).
    cbound::callback<std::int64_t(std::int64_t n)> skip{};
    /// Optional: moves to `offset` from `whence` (SEEK_SET, SEEK_CUR, SEEK_END), returns the new position.
    /// Zip and 7z read their central directory through it.
    cbound::callback<std::int64_t(std::int64_t offset, int whence)> seek{};
};

} // namespace cbound::archive
