// cbound-tar extract: cbound::archive::extract with a policy, a progress bar on a terminal
// and one line on stderr for every entry that was not extracted.
#include "commands.hpp"
#include "text.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/policy_names.hpp>
#include <cbound/archive/reader.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <unistd.h>

namespace cbound_tar {

namespace {

using clock = std::chrono::steady_clock;

cbound::archive::extract_policy policy_named(std::string const& name) {
    if (auto const policy = cbound::archive::extract_policy_from_string(name)) return *policy;
    throw usage_mistake("unknown policy '" + name + "' (data, tar or fully_trusted)");
}

/// Redraws one status line on stderr: entries, bytes, rate and, reading a file, how much of it
/// was read. extract() calls it at most ten times a second (extract_options::progress_every_time).
class progress_bar {
public:
    bool operator()(cbound::archive::progress const& p) {
        if (p.archive_bytes_total && *p.archive_bytes_total > 0)
            percent_ = static_cast<int>(100 * p.archive_bytes_done / *p.archive_bytes_total);
        draw(p.entries_done, p.bytes_done);
        return true; // never cancels
    }
    /// The last figures, left on screen (the whole archive was read).
    void finish(std::uint64_t entries, std::uint64_t bytes) {
        if (percent_) percent_ = 100;
        draw(entries, bytes);
        std::fputs("\n", stderr);
    }

private:
    void draw(std::uint64_t entries, std::uint64_t bytes) const {
        double const seconds = std::chrono::duration<double>(clock::now() - start_).count();
        auto const rate = seconds > 0 ? static_cast<std::uint64_t>(static_cast<double>(bytes) / seconds) : 0;
        std::fprintf(stderr, "\r\033[K%llu entries, %s, %s/s", static_cast<unsigned long long>(entries),
                     human_bytes(bytes).c_str(), human_bytes(rate).c_str());
        if (percent_) std::fprintf(stderr, ", %d%% of the archive read", *percent_);
    }

    std::optional<int> percent_{}; // none when the archive's size is unknown (a pipe)
    clock::time_point start_ = clock::now();
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
    options.progress_every_time = std::chrono::milliseconds(100);

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
