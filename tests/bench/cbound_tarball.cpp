// Benchmarks: cbound::archive::tarball index build and random file(i) lookups (compare with
// raw_tarball.cpp: the bare header scan and a hand-built index).
#define BENCH_COUNT_MALLOC
#include "bench_main.hpp"
#include "lookups.hpp"

#include <cbound/archive/tarball.hpp>

#include <optional>

namespace {

using cbound::archive::tarball;

//   index <archive> <lookups>
void build_index(bench::arguments const& args, bench::report& r) {
    std::optional<tarball> t;
    r.values["ns"] = bench::measure([&] { t.emplace(tarball::open(args.at(0))); });
    r.values["entries"] = t->size();
    auto const order = bench::random_indices(t->size(), std::stoul(args.at(1)));
    tarball const& archive = *t;
    bench::allocation_counter::armed = true;
    std::uint64_t const ns = bench::measure([&] {
        for (std::size_t i : order) {
            auto const bytes = archive.file(i);
            if (!bytes) continue;
            bench::mix(r.checksum, bytes->size() + (bytes->empty() ? 0U : std::to_integer<unsigned>((*bytes)[0])));
        }
    });
    bench::allocation_counter::armed = false;
    r.values["lookup_ps"] = ns * 1000 / (order.empty() ? 1 : order.size());
    r.values["lookup_allocs"] = bench::allocation_counter::count;
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"index", build_index}}; }
