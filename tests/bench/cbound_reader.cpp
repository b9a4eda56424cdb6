// Benchmarks: listing and reading an archive with cbound::archive::reader (compare with
// raw_reader.cpp, which does the same work in raw C).
#include "bench_main.hpp"

#include <cbound/archive/reader.hpp>

namespace {

using cbound::archive::block;
using cbound::archive::entry_view;
using cbound::archive::reader;

void list(bench::arguments const& args, bench::report& r) {
    r.values["ns"] = bench::measure([&] {
        auto archive = reader::open(args.at(0));
        for (entry_view e : archive)
            bench::mix(r.checksum, e.pathname().size() + static_cast<std::uint64_t>(e.size().value_or(0)));
    });
}

void read_all(bench::arguments const& args, bench::report& r) {
    r.values["ns"] = bench::measure([&] {
        auto archive = reader::open(args.at(0));
        for (entry_view e : archive) {
            for (block const& b : e.blocks()) {
                bench::mix(r.checksum, static_cast<std::uint64_t>(b.offset) + b.data.size() +
                                           (b.data.empty() ? 0U : std::to_integer<unsigned>(b.data[0])));
            }
        }
    });
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"list", list}, {"read", read_all}}; }
