// Benchmarks: the in-process harness every benchmark binary shares.
//
// A binary is `<exe> <operation> <arguments…>`; it prepares its inputs, runs the measured
// part through cbound_bench_measured() (the name callgrind's --toggle-collect selects, so
// set-up and argument parsing are not counted), and prints one line of key=value pairs:
// the checksum that proves both sides did the same work, and the elapsed nanoseconds.
// Include this header from exactly one translation unit per binary (it defines main).
#pragma once

#include <chrono>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#ifdef BENCH_COUNT_MALLOC
#include <atomic>
#endif

namespace bench {

/// What one run reports: named figures printed as key=value.
struct report {
    std::uint64_t checksum = 0;                  ///< work fingerprint, equal on every side
    std::map<std::string, std::uint64_t> values; ///< elapsed times, counts
};

/// The arguments after the operation name.
using arguments = std::vector<std::string>;
/// One benchmark operation: reads its arguments, measures with measure(), fills the report.
using operation = std::function<void(arguments const&, report&)>;

/// The operations a binary offers, by name (defined by each benchmark source).
std::map<std::string_view, operation> operations();

/// Allocation counting, armed only around the code under test.
struct allocation_counter {
    static inline bool armed = false;      ///< count only while true
    static inline std::uint64_t count = 0; ///< allocations seen while armed
};

} // namespace bench

#ifdef BENCH_COUNT_MALLOC
// Interposes malloc for the whole process (libarchive and operator new included) so a
// "no allocation" claim covers C allocations too; glibc exports the real one.
extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* malloc(std::size_t size) {
    if (bench::allocation_counter::armed) ++bench::allocation_counter::count;
    return __libc_malloc(size);
}
#endif

// GCC would otherwise clone the function under a .constprop name that callgrind does not match.
#if defined(__clang__)
#define BENCH_OUT_OF_LINE __attribute__((noinline))
#else
#define BENCH_OUT_OF_LINE __attribute__((noipa))
#endif

/// The measured region: one out-of-line C function so callgrind can toggle on it by name.
extern "C" BENCH_OUT_OF_LINE void cbound_bench_measured(void (*body)(void*), void* context) {
    body(context);
    // Keeps the call from being turned into a tail jump that callgrind would not attribute.
    asm volatile("" ::: "memory");
}

namespace bench {

/// Runs `body` as the measured region and returns its wall time in nanoseconds.
template <class Body>
std::uint64_t measure(Body&& body) {
    auto const start = std::chrono::steady_clock::now();
    cbound_bench_measured([](void* b) { (*static_cast<Body*>(b))(); }, &body);
    auto const stop = std::chrono::steady_clock::now();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(stop - start).count());
}

/// Mixes a value into a checksum (order-sensitive, cheap).
inline void mix(std::uint64_t& sum, std::uint64_t value) noexcept { sum = (sum ^ value) * 0x100000001b3ULL; }

} // namespace bench

int main(int argc, char** argv) {
    // Both sides of a comparison run under the same locale; libarchive converts names with
    // it, so the harness measures the default "C" and a UTF-8 locale separately.
    if (char const* locale = std::getenv("CBOUND_BENCH_LOCALE")) std::setlocale(LC_ALL, locale);
    auto const ops = bench::operations();
    if (argc < 2 || ops.find(argv[1]) == ops.end()) {
        std::fprintf(stderr, "usage: %s <operation> <arguments...>\noperations:", argv[0]);
        for (auto const& [name, op] : ops)
            std::fprintf(stderr, " %.*s", static_cast<int>(name.size()), name.data());
        std::fprintf(stderr, "\n");
        return 2;
    }
    bench::arguments const args(argv + 2, argv + argc);
    bench::report r;
    try {
        ops.at(argv[1])(args, r);
    } catch (std::exception const& e) {
        std::fprintf(stderr, "%s %s: %s\n", argv[0], argv[1], e.what());
        return 1;
    }
    std::printf("checksum=%016llx", static_cast<unsigned long long>(r.checksum));
    for (auto const& [key, value] : r.values)
        std::printf(" %s=%llu", key.c_str(), static_cast<unsigned long long>(value));
    std::printf("\n");
    return 0;
}
