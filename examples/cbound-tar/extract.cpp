// cbound-tar extract: cbound::archive::extract with a policy, a progress bar on a terminal
// and one line on stderr for every entry that was not extracted.
#include "commands.hpp"
#include "text.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/policy_names.hpp>
#include <cbound/archive/reader.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace cbound_tar {

namespace {

using clock = std::chrono::steady_clock;

cbound::archive::extract_policy policy_named(std::string const& name) {
    if (auto const policy = cbound::archive::extract_policy_from_string(name)) return *policy;
    throw usage_mistake("unknown policy '" + name + "' (data, tar or fully_trusted)");
}

/// Redraws one status line on stderr at most ten times a second: entries, bytes and rate.
class progress_bar {
public:
    bool operator()(cbound::archive::progress const& p) {
        auto const now = clock::now();
        if (now - drawn_ < std::chrono::milliseconds(100)) return true;
        drawn_ = now;
        draw(p.entries_done, p.bytes_done, now);
        return true; // never cancels
    }
    /// The last figures, left on screen.
    void finish(std::uint64_t entries, std::uint64_t bytes) {
        draw(entries, bytes, clock::now());
        std::fputs("\n", stderr);
    }

private:
    void draw(std::uint64_t entries, std::uint64_t bytes, clock::time_point now) const {
        double const seconds = std::chrono::duration<double>(now - start_).count();
        auto const rate = seconds > 0 ? static_cast<std::uint64_t>(static_cast<double>(bytes) / seconds) : 0;
        std::fprintf(stderr, "\r\033[K%llu entries, %s, %s/s", static_cast<unsigned long long>(entries),
                     human_bytes(bytes).c_str(), human_bytes(rate).c_str());
    }

    clock::time_point start_ = clock::now();
    clock::time_point drawn_{};
};

} // namespace

int extract(arguments const& args) {
    cbound::archive::extract_options options;
    options.policy = policy_named(args.policy);
    // Report every refused or failed entry and extract the rest, as tar does, instead of
    // stopping at the first; the exit status says something was left out.
    options.unsafe = cbound::archive::on_unsafe::skip;
    options.failure = cbound::archive::on_failure::skip;
    bool const show_progress = ::isatty(STDERR_FILENO) == 1;
    progress_bar bar;
    if (show_progress) options.on_progress = [&bar](cbound::archive::progress const& p) { return bar(p); };

    auto r = cbound::archive::reader::open(args.archive);
    cbound::archive::extract_report const report = cbound::archive::extract(r, args.directory, options);
    if (show_progress)
        bar.finish(report.extracted + report.skipped + report.rejected + report.failed, report.bytes_written);

    using cbound::archive::entry_outcome;
    for (cbound::archive::entry_result const& e : report.entries) {
        if (e.outcome == entry_outcome::rejected) complain(args.archive, e.pathname, "refused: " + e.reason);
        if (e.outcome == entry_outcome::failed) complain(args.archive, e.pathname, "failed: " + e.reason);
    }
    if (report.omitted != 0)
        complain(args.archive, {}, std::to_string(report.omitted) + " more entries not listed (the report is bounded)");
    for (cbound::archive::warning const& w : r.warnings())
        complain(args.archive, w.pathname, "warning: " + w.message);
    return report.rejected + report.failed == 0 ? ok : archive_error;
}

} // namespace cbound_tar
