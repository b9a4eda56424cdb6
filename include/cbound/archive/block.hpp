// cbound::archive — block: one piece of an entry's data, as entry_view::blocks() yields it.
//
// The range that yields blocks (detail/read_blocks.hpp) is the reader's machinery; the type
// lives here so that code taking a block needs no reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace cbound::archive {

/// One piece of an entry's data, at `offset` in the file; borrowed until the next read.
struct block {
    std::int64_t offset = 0;           ///< where these bytes go in the file (gaps are sparse holes)
    std::span<std::byte const> data{}; ///< the bytes, owned by the reader (or the caller's memory)
};

} // namespace cbound::archive
