// cbound::archive — sparse_region: one data region of a sparse file, as entry_view::sparse() yields it.
#pragma once

#include <cstdint>

namespace cbound::archive {

/// One data region of a sparse file; the gaps between regions read as zeros.
struct sparse_region {
    std::int64_t offset = 0; ///< where the region starts
    std::int64_t length = 0; ///< how many bytes it holds
};

} // namespace cbound::archive
