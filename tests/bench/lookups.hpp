// Benchmarks: the random lookup sequence shared by the tarball benchmarks.
#pragma once

#include "workload.hpp"

#include <cstddef>
#include <vector>

namespace bench {

/// `count` entry indices in [0, entries), the same sequence on every side.
inline std::vector<std::size_t> random_indices(std::size_t entries, std::size_t count) {
    std::vector<std::size_t> out(count);
    splitmix64 rng{workload_seed ^ 0x10c4U};
    for (auto& i : out)
        i = entries == 0 ? 0 : static_cast<std::size_t>(rng.below(entries));
    return out;
}

} // namespace bench
