// cbound::archive — an extraction's books: the report, the limits and progress (internal).
//
// Every decoded byte counts against the total and ratio limits, whether it was written or
// only read to reach the next header (a refused entry's data is decoded all the same: 26 KB
// of bzip2 can be 17 GB of zeros). The report is bounded as extract_options.hpp describes.
#pragma once

#include <cbound/archive/error.hpp>
#include <cbound/archive/extract_options.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/chrono.hpp>

#include <archive.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace cbound::archive::detail {

/// Why an entry failed: the error behind it, for the exception on_failure::stop throws.
struct entry_failure {
    std::error_code code; ///< the errno or cbound code
    std::string reason;   ///< what happened, in words
    [[nodiscard]] bool failed() const noexcept { return !reason.empty(); }
};

/// The report, limits and progress of one extraction.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
template <class Deferred = void>
class basic_extract_books {
public:
    /// Books for extracting from `r` under `o`.
    basic_extract_books(reader& r, extract_options const& o) : reader_(r), options_(o) {}

    /// Counts one more entry read; throws past limits.max_entries.
    void count_entry() {
        ++entries_seen_;
        if (limits().max_entries != 0 && entries_seen_ > limits().max_entries)
            throw limit("more than " + std::to_string(limits().max_entries) + " entries", {});
    }

    /// Throws when `name` (an entry name or link target) is longer than limits.max_name_bytes.
    void check_name(std::string_view name, std::string_view entry) const {
        if (limits().max_name_bytes != 0 && name.size() > limits().max_name_bytes)
            throw limit("a name of " + std::to_string(name.size()) + " bytes exceeds " +
                            std::to_string(limits().max_name_bytes) + " bytes",
                        entry.substr(0, 256));
    }

    /// Counts `n` decoded bytes (written or not); throws past the total and ratio limits.
    void decoded(std::uint64_t n, std::string_view name) {
        decoded_ += n;
        extract_limits const& l = limits();
        if (l.max_total_bytes != 0 && decoded_ > l.max_total_bytes)
            throw limit("decoded data exceeds " + std::to_string(l.max_total_bytes) + " bytes", name);
        constexpr std::uint64_t grace = 1u << 20;
        // Blocks before this one only: libarchive consumes a block's input when it hands over the
        // next, so an uncompressed archive read from memory (one block of megabytes, nothing yet
        // consumed) would look like a bomb if this block were counted against what was read.
        std::uint64_t const settled = decoded_ - n;
        if (l.max_ratio > 0 && settled > grace) {
            std::uint64_t const read = reader_.archive_bytes_read(); // compressed bytes, whoever decodes
            if (read > 0 && static_cast<double>(settled) / static_cast<double>(read) > l.max_ratio)
                throw limit("compression ratio exceeds " + number_text(l.max_ratio), name);
        }
    }

    /// Counts `n` bytes written to the entry `name` (`entry_bytes` so far); throws past the per-entry limit.
    void written(std::uint64_t n, std::uint64_t entry_bytes, std::string_view name) {
        report_.bytes_written += n;
        if (limits().max_entry_bytes != 0 && entry_bytes > limits().max_entry_bytes)
            throw limit("entry data exceeds " + std::to_string(limits().max_entry_bytes) + " bytes", name);
    }

    /// Takes back `n` bytes counted as written that were not (a file skipped after its data was decoded).
    void unwritten(std::uint64_t n) noexcept {
        report_.bytes_written -= n;
        if (told_bytes_ > report_.bytes_written) told_bytes_ = report_.bytes_written;
    }

    /// Throws when the entry declares more data than the per-entry limit.
    void check_declared(std::optional<std::int64_t> declared, std::string_view name) const {
        if (declared && limits().max_entry_bytes != 0 && *declared > 0 &&
            static_cast<std::uint64_t>(*declared) > limits().max_entry_bytes)
            throw limit("entry declares " + std::to_string(*declared) + " bytes, over the per-entry limit", name);
    }

    /// Reads the rest of the current entry's data without writing it, counting every byte.
    /// A read error ends this entry only (the reader goes on where libarchive does).
    void drain(entry_view e, std::string_view name) {
        try {
            for (block const& b : e.blocks())
                decoded(b.data.size(), name);
        } catch (error const& ex) {
            if (is_final(ex)) throw;
        }
    }

    /// Holds (or, negative, releases) `n` bytes of names outside the report; throws past the total.
    void hold_names(std::int64_t n) {
        held_names_ += static_cast<std::uint64_t>(n);
        if (limits().max_total_name_bytes != 0 && held_names_ > limits().max_total_name_bytes)
            throw limit("names held exceed " + std::to_string(limits().max_total_name_bytes) + " bytes", {});
    }

    /// Records what became of an entry (kept in the report within its bounds).
    void record(std::string name, entry_outcome outcome, std::string reason) {
        switch (outcome) {
        case entry_outcome::extracted: ++report_.extracted; break;
        case entry_outcome::skipped: ++report_.skipped; break;
        case entry_outcome::rejected: ++report_.rejected; break;
        case entry_outcome::failed: ++report_.failed; break;
        }
        ++entries_done_;
        std::size_t const cap = limits().max_report_entries;
        bool const keep = cap == 0 || report_.entries.size() < cap ||
                          (outcome != entry_outcome::extracted && report_.entries.size() < 2 * cap);
        if (!keep) {
            ++report_.omitted;
            return;
        }
        hold_names(static_cast<std::int64_t>(name.size() + reason.size()));
        report_.entries.push_back({std::move(name), outcome, std::move(reason)});
    }

    /// Records a failed entry; throws it under on_failure::stop.
    void record_failure(std::string name, entry_failure failure) {
        if (options_.failure == on_failure::stop) {
            std::error_code const code = failure.code ? failure.code : make_error_code(errc::archive_failed);
            throw error(code, "extract", "entry failed: " + failure.reason, name);
        }
        record(std::move(name), entry_outcome::failed, std::move(failure.reason));
    }

    /// Calls the progress callback when an entry was finished since the last call or enough data
    /// was written, and the time bound allows; throws errc::cancelled when it says stop.
    void tell_progress(std::string_view name) {
        if (!options_.on_progress) return;
        // Files handed to the pool count as done: cancelling must not wait for the workers.
        std::uint64_t const done = entries_done_ + handed_over_;
        bool const entry_done = done != told_entries_;
        if (!entry_done && report_.bytes_written - told_bytes_ < options_.progress_every_bytes) return;
        if (options_.progress_every_time.count() > 0) {
            auto const now = std::chrono::steady_clock::now();
            if (told_once_ && now - told_at_ < options_.progress_every_time) return;
            told_at_ = now;
        }
        told_once_ = true;
        told_entries_ = done;
        told_bytes_ = report_.bytes_written;
        progress const now{.entries_done = done,
                           .bytes_done = report_.bytes_written,
                           .entries_total = options_.entries_total,
                           .bytes_total = options_.bytes_total,
                           .pathname = name,
                           .archive_bytes_done = reader_.archive_bytes_read(),
                           .archive_bytes_total = reader_.source_size()};
        if (!options_.on_progress(now))
            throw make_error(errc::cancelled, "extract", "cancelled by the progress callback", name);
    }

    /// Counts `n` entries handed to the finishing pool as done for progress (their data is
    /// decoded and counted already; their report rows come when they are finished).
    void set_handed_over(std::uint64_t n) noexcept { handed_over_ = n; }

    /// The report, handed over at the end.
    [[nodiscard]] extract_report take() { return std::move(report_); }

    /// Whether `ex` must end the extraction rather than the entry (fatal reader, limits, cancel).
    [[nodiscard]] static bool is_final(error const& ex) noexcept {
        return ex.status() == status::fatal || ex.code() == make_error_code(errc::limit_exceeded) ||
               ex.code() == make_error_code(errc::cancelled);
    }

    /// A limit_exceeded error about `name`.
    [[nodiscard]] static error limit(std::string message, std::string_view name) {
        return make_error(errc::limit_exceeded, "extract", std::move(message), name);
    }

    /// The options.
    [[nodiscard]] extract_options const& options() const noexcept { return options_; }
    /// The reader.
    [[nodiscard]] reader& source() const noexcept { return reader_; }

private:
    [[nodiscard]] extract_limits const& limits() const noexcept { return options_.limits; }

    reader& reader_;
    extract_options const& options_;
    extract_report report_;
    std::uint64_t entries_seen_ = 0;
    std::uint64_t entries_done_ = 0;
    std::uint64_t handed_over_ = 0;
    std::uint64_t decoded_ = 0;
    std::uint64_t held_names_ = 0;
    // What the progress callback was last told, and when.
    std::uint64_t told_entries_ = 0;
    std::uint64_t told_bytes_ = 0;
    bool told_once_ = false;
    // Through dependent_t: the time arithmetic on it is compiled only where extraction is (config.hpp).
    cbound::detail::dependent_t<Deferred, std::chrono::steady_clock::time_point> told_at_{};
};

/// The books of an extraction (the one instantiation there is).
using extract_books = basic_extract_books<>;

} // namespace cbound::archive::detail
