// Benchmarks: cbound::archive::extract with the default (safe) options — compare with
// raw_extract.cpp and `bsdtar -xf`.
#include "bench_main.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/reader.hpp>

namespace {

//   extract <archive> <dest>
void extract(bench::arguments const& args, bench::report& r) {
    r.values["ns"] = bench::measure([&] {
        auto archive = cbound::archive::reader::open(args.at(0));
        cbound::archive::extract_report const report = cbound::archive::extract(archive, args.at(1));
        r.values["extracted"] = report.extracted;
        r.values["bytes"] = report.bytes_written;
    });
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"extract", extract}}; }
