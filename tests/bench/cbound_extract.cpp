// Benchmarks: cbound::archive::extract with the default (safe) options — compare with
// raw_extract.cpp and `bsdtar -xf`.
#include "bench_main.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/reader.hpp>

#include <cstdint>
#include <string>

#include <time.h>

namespace {

std::uint64_t cpu_ns(clockid_t clock) {
    timespec t{};
    ::clock_gettime(clock, &t);
    return static_cast<std::uint64_t>(t.tv_sec) * 1000000000u + static_cast<std::uint64_t>(t.tv_nsec);
}

//   extract <archive> <dest> [threads]   (extract_options::threads; default 0, one per core)
void extract(bench::arguments const& args, bench::report& r) {
    cbound::archive::extract_options options;
    if (args.size() > 2) options.threads = static_cast<unsigned>(std::stoul(std::string(args.at(2))));
    // Processor time of the calling (reading) thread and of the whole process: with a pool,
    // the first bounds the wall time from below on any number of cores, and unlike wall time
    // it hardly moves when other work loads the machine.
    std::uint64_t reader_start = 0, process_start = 0;
    r.values["ns"] = bench::measure([&] {
        reader_start = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
        process_start = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
        auto archive = cbound::archive::reader::open(args.at(0));
        cbound::archive::extract_report const report = cbound::archive::extract(archive, args.at(1), options);
        r.values["extracted"] = report.extracted;
        r.values["bytes"] = report.bytes_written;
    });
    // The pool's threads are joined when extract returns, so their time is in the process's.
    r.values["reader_cpu_ns"] = cpu_ns(CLOCK_THREAD_CPUTIME_ID) - reader_start;
    r.values["process_cpu_ns"] = cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - process_start;
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"extract", extract}}; }
