// cbound::archive — what extract() is told and what it answers: policies, limits, options
// and the report.
//
// The report is bounded, whatever the archive holds: it keeps one row per entry up to
// `max_report_entries`; past that it keeps only rows of entries that were NOT extracted
// (skipped, rejected, failed), up to as many again, and counts the rows it left out in
// `omitted`. The counters (extracted, skipped, rejected, failed, bytes) are always exact.
#pragma once

#include <cbound/callback.hpp>
#include <cbound/detail/chrono.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cbound::archive {

/// How much an archive is trusted (PEP 706's extraction filters).
enum class extract_policy {
    data,          ///< the default: plain files, folders and links that stay inside; no special files
    tar,           ///< what a trusted tar needs (FIFOs, devices, absolute names made relative), still nothing outside
    fully_trusted, ///< libarchive as it is: absolute names, links anywhere, devices; only for your own archives
};

/// What happens to an entry the policy refuses.
enum class on_unsafe {
    stop, ///< the default: throw errc::unsafe_entry at the first refused entry (earlier entries stay)
    skip, ///< record it in the report as rejected and go on
};

/// What happens to an entry that fails (corrupt data, a disk error, a missing hard link target).
enum class on_failure {
    stop, ///< the default: remove the partial file, then throw an error naming the entry
    skip, ///< remove the partial file, record it in the report as failed and go on
};

/// What happens when something already exists at an entry's path.
enum class overwrite {
    replace_files,  ///< the default: files and links are replaced (never written through); folders are kept
                    ///< and merged into; a non-empty folder where a file goes fails that entry
    never,          ///< anything that exists is left alone and the entry is skipped (folders still merge)
    always_replace, ///< like replace_files, and a whole folder tree where a non-folder goes is removed first
};

/// Limits enforced while data streams (never from declared sizes alone); 0 means unlimited.
struct extract_limits {
    /// Data bytes decoded, all entries together: written ones and the skipped data of
    /// refused, skipped or failed entries alike (the decoder produced them all).
    std::uint64_t max_total_bytes = 16ull << 30;
    std::uint64_t max_entry_bytes = 8ull << 30; ///< data bytes of one entry (also its declared size)
    std::uint64_t max_entries = 1'000'000;      ///< entries read, whatever became of them
    /// Data bytes decoded / archive bytes read so far (archive_filter_bytes(a, -1)), checked
    /// once more than 1 MiB was decoded.
    double max_ratio = 1000.0;
    std::size_t max_name_bytes = 64u << 10; ///< bytes of one entry name or link target
    /// Name bytes the extraction holds at once (report rows, folders waiting for their metadata).
    std::uint64_t max_total_name_bytes = 64ull << 20;
    std::size_t max_report_entries = 100'000; ///< report rows kept before only non-extracted rows are
};

/// Where an extraction is, given to the progress callback.
///
/// A reader streams: it cannot know how many entries or data bytes are still to come, so
/// entries_total and bytes_total are what the caller gave in extract_options (a tarball knows
/// both: its size() and the sum of its entries' size()). What a reader of a regular file does
/// know is the file's size: archive_bytes_done counts up to archive_bytes_total, compressed or not.
struct progress {
    std::uint64_t entries_done = 0;             ///< entries finished (in any outcome)
    std::uint64_t bytes_done = 0;               ///< data bytes written so far
    std::optional<std::uint64_t> entries_total; ///< entries in the archive: extract_options::entries_total
    std::optional<std::uint64_t> bytes_total;   ///< data bytes of its files: extract_options::bytes_total
    std::string_view pathname;                  ///< the entry being extracted (valid during the call)
    std::uint64_t archive_bytes_done = 0;       ///< bytes of the archive read so far, as stored (compressed)
    /// The size of the archive file from where reading began, when the reader reads a regular file.
    std::optional<std::uint64_t> archive_bytes_total{};
};

/// How extract() behaves.
struct extract_options {
    extract_policy policy = extract_policy::data;  ///< how much the archive is trusted
    extract_limits limits{};                       ///< size, count, ratio and name limits
    on_unsafe unsafe = on_unsafe::stop;            ///< stop or skip at refused entries
    on_failure failure = on_failure::stop;         ///< stop or skip at failed entries
    overwrite existing = overwrite::replace_files; ///< what to do with things already on disk
    bool preserve_times = true;                    ///< restore modification and access times
    bool preserve_permissions = true;              ///< restore modes (after the policy's cleaning), ignoring the umask
    bool preserve_owner = false;                   ///< restore owners (names first, then ids)
    bool preserve_xattrs = false;                  ///< restore extended attributes
    bool preserve_acls = false;                    ///< restore ACLs (POSIX access and default ACLs under data and tar)
    /// Threads that create and write small files under data and tar while the calling thread decodes
    /// (0: one per core, at most 4; 1: the calling thread alone). Owners, xattrs and ACLs
    /// keep everything on the calling thread.
    unsigned threads = 0;
    /// Called after each entry and every `progress_every_bytes` of data; return false to cancel (errc::cancelled).
    cbound::callback<bool(progress const&)> on_progress{};
    /// Within an entry, on_progress is called again once this many more data bytes are written (0: after
    /// every block libarchive hands over); the default calls it 60 times for 60 MB instead of 920.
    std::uint64_t progress_every_bytes = std::uint64_t{1} << 20;
    /// When not zero, on_progress is not called again sooner than this after the last call (an entry
    /// or block inside the interval is passed over): a display refreshes at its pace however small the files.
    std::chrono::milliseconds progress_every_time{0};
    /// The archive's number of entries, when the caller knows it; shown as progress::entries_total.
    std::optional<std::uint64_t> entries_total{};
    /// The data bytes of the archive's files, when the caller knows it; shown as progress::bytes_total.
    std::optional<std::uint64_t> bytes_total{};
};

/// What became of one entry.
enum class entry_outcome {
    extracted, ///< written to disk
    skipped,   ///< left out on purpose (overwrite::never, the destination's own "." entry)
    rejected,  ///< refused by the policy (only recorded with on_unsafe::skip)
    failed,    ///< libarchive or the disk failed; any partial file was removed (only recorded with on_failure::skip)
};

/// One entry of an extraction report.
struct entry_result {
    std::string pathname{};                           ///< the entry's name in the archive (UTF-8)
    entry_outcome outcome = entry_outcome::extracted; ///< what became of it
    std::string reason{}; ///< why it was skipped, rejected or failed, or a warning; empty when none
};

/// What an extraction did, entry by entry (bounded: see the header comment).
struct extract_report {
    std::vector<entry_result> entries{}; ///< the rows kept, in archive order
    std::uint64_t bytes_written = 0;     ///< data bytes written
    std::size_t extracted = 0;           ///< entries with outcome extracted
    std::size_t skipped = 0;             ///< entries with outcome skipped
    std::size_t rejected = 0;            ///< entries with outcome rejected
    std::size_t failed = 0;              ///< entries with outcome failed
    std::size_t omitted = 0;             ///< rows left out of `entries` past limits.max_report_entries
};

} // namespace cbound::archive
