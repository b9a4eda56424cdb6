// Benchmarks: cbound::archive::extract with the default (safe) options — compare with
// raw_extract.cpp and `bsdtar -xf`.
#include "bench_main.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/reader.hpp>

#include <string>

namespace {

//   extract <archive> <dest> [threads]   (extract_options::threads; default 0, one per core)
void extract(bench::arguments const& args, bench::report& r) {
    cbound::archive::extract_options options;
    if (args.size() > 2) options.threads = static_cast<unsigned>(std::stoul(std::string(args.at(2))));
    r.values["ns"] = bench::measure([&] {
        auto archive = cbound::archive::reader::open(args.at(0));
        cbound::archive::extract_report const report = cbound::archive::extract(archive, args.at(1), options);
        r.values["extracted"] = report.extracted;
        r.values["bytes"] = report.bytes_written;
    });
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"extract", extract}}; }
