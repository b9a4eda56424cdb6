// Attack cases 21-22: compression bombs and sizes that lie.
#include "attack_fixture.hpp"

#include <new>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace attack;

namespace {

constexpr std::uint64_t mib = 1ull << 20;

/// The apparent size of every regular file below `dir`.
std::uint64_t bytes_below(fs::path const& dir) {
    std::uint64_t total = 0;
    for (auto const& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file() && !e.is_symlink()) total += e.file_size();
    }
    return total;
}

/// Limits that are all off (0 = unlimited), to change one at a time.
ca::extract_options unlimited() {
    ca::extract_options o;
    o.limits.max_total_bytes = 0;
    o.limits.max_entry_bytes = 0;
    o.limits.max_entries = 0;
    o.limits.max_ratio = 0;
    return o;
}

/// Extracts and requires errc::limit_exceeded.
void require_limit(workspace const& ws, fs::path const& archive, ca::extract_options const& o) {
    auto const e = error_from([&] { ws.extract(archive, o); });
    REQUIRE(e.has_value());
    INFO(e->what());
    CHECK(e->code() == ca::errc::limit_exceeded);
    ws.require_outside_untouched();
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

/// Runs `f` in a child process whose address space is capped at 1 GiB (not under a
/// sanitizer, which reserves terabytes of shadow): 0 = threw cbound::archive::error or
/// reported a failed entry, 1 = succeeded, 2 = bad_alloc, 3 = another exception,
/// other = killed by a signal.
template <class F>
int outcome_in_bounded_child(F&& f) {
    pid_t const pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (!sanitized) {
            struct rlimit const cap{1ull << 30, 1ull << 30};
            ::setrlimit(RLIMIT_AS, &cap);
        }
        try {
            ca::extract_report const report = f();
            ::_exit(report.failed > 0 ? 0 : 1);
        } catch (ca::error const&) {
            ::_exit(0);
        } catch (std::bad_alloc const&) {
            ::_exit(2);
        } catch (...) {
            ::_exit(3);
        }
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

} // namespace

TEST_CASE("case 21: a bomb of zeros is stopped by the ratio limit while streaming") {
    for (char const* compressor : {"gzip", "xz", "bzip2", "zstd"}) {
        DYNAMIC_SECTION(compressor) {
            if (!cbound_test::have_tool(compressor)) {
                WARN("skipped: no " << compressor);
                continue;
            }
            workspace ws;
            fs::path const archive = ws.make("case21_bomb", std::string("bomb.tar.") + compressor,
                                             std::string("--compressor ") + compressor + " --mib 64");
            ca::extract_options o;
            // Deflate cannot exceed ~1030:1, too close to the default 1000 to pin; the others reach >6000:1.
            if (std::string(compressor) == "gzip") o.limits.max_ratio = 100;
            require_limit(ws, archive, o);
            CHECK(bytes_below(ws.dest()) < 64 * mib);
        }
    }
}

TEST_CASE("case 21: the byte limits stop an entry and an archive") {
    using ca::extract_limits;
    struct limit_case {
        char const* name;                     // the section
        char const* archive_args;             // make_attack.py case21_bomb options
        std::uint64_t extract_limits::*field; // the one limit that is on
        std::uint64_t limit;                  // its value
    };
    for (limit_case const& c :
         {limit_case{"bytes per entry", "--mib 16", &extract_limits::max_entry_bytes, 4 * mib},
          limit_case{"total bytes", "--mib 4 --entries 4", &extract_limits::max_total_bytes, 10 * mib}}) {
        DYNAMIC_SECTION(c.name) {
            workspace ws;
            auto o = unlimited();
            o.limits.*c.field = c.limit;
            require_limit(ws, ws.make("case21_bomb", "bytes.tar.gz", c.archive_args), o);
            // Stopped within a block (at most 1 MiB here) of the limit, not at the end.
            CHECK(bytes_below(ws.dest()) <= c.limit + mib);
        }
    }
}

TEST_CASE("case 21: the entry-count limit stops an archive of many entries") {
    workspace ws;
    auto o = unlimited();
    o.limits.max_entries = 10;
    require_limit(ws, ws.make("case21_bomb", "count.tar.gz", "--mib 0 --entries 50"), o);
    std::size_t files = 0;
    for (auto const& e : fs::directory_iterator(ws.dest()))
        files += e.is_regular_file() ? 1 : 0;
    CHECK(files <= 10);
}

TEST_CASE("case 21: with the limits off the same kind of archive extracts in full") {
    // The control: the limits, not the archive, are what stopped the cases above.
    workspace ws;
    auto const report = ws.extract(ws.make("case21_bomb", "total.tar.gz", "--mib 4 --entries 4"), unlimited());
    CHECK(report.extracted == 4);
    CHECK(report.bytes_written == 16 * mib);
    CHECK(bytes_below(ws.dest()) == 16 * mib);
    ws.require_outside_untouched();
}

TEST_CASE("case 22: sizes that lie give a clean error, never a huge allocation") {
    for (char const* variant : {"zip", "tar_huge", "negative"}) {
        for (bool const limited : {true, false}) {
            DYNAMIC_SECTION(variant << (limited ? ", default limits" : ", no limits")) {
                workspace ws;
                fs::path const archive =
                    ws.make("case22_lying_size", std::string("lie.") + variant, std::string("--variant ") + variant);
                ca::extract_options const o = limited ? ca::extract_options{} : unlimited();
                // The failure must be cbound's (a thrown error or a failed entry), not bad_alloc
                // from trusting a declared 2^40 bytes, and must come with the address space capped.
                CHECK(outcome_in_bounded_child([&] { return ws.extract(archive, o); }) == 0);
                std::optional<ca::extract_report> report;
                auto const e = error_from([&] { report = ws.extract(archive, o); });
                if (e) {
                    INFO(e->what());
                    CHECK(e->code() != ca::errc::unsafe_entry);
                } else {
                    REQUIRE(report->entries.size() == 1);
                    CHECK(report->entries.front().outcome == ca::entry_outcome::failed);
                    CHECK(!report->entries.front().reason.empty());
                }
                // Declared 10 bytes over 1 MiB, or 2^40 over 4 KiB: never more than the body on disk.
                CHECK(bytes_below(ws.dest()) < mib);
                ws.require_outside_untouched();
            }
        }
    }
}
