// cbound::archive — extraction under the fully_trusted policy: libarchive's disk writer as
// it is (internal).
//
// Names (absolute ones included) and link targets go to archive_write_disk unchanged,
// relative ones below the destination; no chdir() ever happens (paths longer than PATH_MAX
// fail instead, since libarchive would chdir() into them and that moves every thread).
#pragma once

#include <cbound/archive/detail/extract_books.hpp>
#include <cbound/archive/detail/extract_disk.hpp>
#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/locale.hpp>
#include <cbound/archive/entry.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/reader.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <climits>
#include <optional>
#include <string>
#include <string_view>
#include <unistd.h>
#include <utility>

namespace cbound::archive::detail {

/// The archive_write_disk flags that carry out `o` (fully_trusted).
[[nodiscard]] inline int disk_flags(extract_options const& o) noexcept {
    int flags = 0;
    if (o.preserve_times) flags |= ARCHIVE_EXTRACT_TIME;
    if (o.preserve_permissions) flags |= ARCHIVE_EXTRACT_PERM;
    if (o.preserve_owner) flags |= ARCHIVE_EXTRACT_OWNER;
    if (o.preserve_xattrs) flags |= ARCHIVE_EXTRACT_XATTR;
    if (o.preserve_acls) flags |= ARCHIVE_EXTRACT_ACL;
    if (o.existing == overwrite::never) flags |= ARCHIVE_EXTRACT_NO_OVERWRITE;
    if (o.existing == overwrite::always_replace) flags |= ARCHIVE_EXTRACT_UNLINK;
    return flags;
}

/// One fully_trusted extraction.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
template <class Deferred = void>
class basic_trusted_extraction {
public:
    /// Prepares extracting `r` into the canonical folder `root` under `options`.
    basic_trusted_extraction(reader& r, std::string root, extract_options const& options)
        : books_(r, options), root_(std::move(root)), disk_(disk_flags(options), options.preserve_owner) {}

    /// Extracts every entry, then applies the deferred folder metadata.
    extract_report run() {
        while (auto e = books_.source().template next<Deferred>()) {
            books_.count_entry();
            one(*e);
        }
        disk_.close();
        return books_.take();
    }

private:
    void one(entry_view e) {
        std::string name;
        std::optional<std::string> hardlink;
        {
            utf8_scope utf8; // names are stored as UTF-8 and converted on access
            name = std::string(e.pathname());
            if (auto h = e.hardlink()) hardlink.emplace(*h);
            if (auto s = e.symlink()) books_.check_name(*s, name);
        }
        books_.check_name(name, name);
        if (hardlink) books_.check_name(*hardlink, name);
        if (name.empty()) return failed(e, std::move(name), "empty name");
        std::string const path = absolute(name);
        if (path.size() >= PATH_MAX) return failed(e, std::move(name), "path longer than PATH_MAX");
        books_.check_declared(e.size(), name);
        entry_handle d(archive_entry_clone(e.native_handle()));
        if (!d) throw make_error(errc::archive_failed, "extract", "out of memory", name);
        archive_entry_copy_pathname(d.get(), path.c_str());
        if (hardlink) archive_entry_copy_hardlink(d.get(), absolute(*hardlink).c_str());
        int st = disk_.header(d.get());
        if (st == ARCHIVE_FAILED) return failed(e, std::move(name), disk_.message_or("failed"));
        std::string note = st == ARCHIVE_WARN ? disk_.message_or("warning") : std::string();
        bool const has_data = archive_entry_hardlink(d.get()) != nullptr ? archive_entry_size(d.get()) > 0
                                                                         : archive_entry_filetype(d.get()) == AE_IFREG;
        if (has_data) {
            entry_failure failure;
            try {
                failure = copy_data(e, name);
            } catch (...) {
                discard(path, name); // a limit, a cancel or a fatal reader error: no half-written file stays
                throw;
            }
            if (failure.failed()) {
                discard(path, name);
                return after_failure(std::move(name), std::move(failure));
            }
        } else {
            books_.drain(e, name);
        }
        st = disk_.finish(name);
        if (st == ARCHIVE_FAILED) {
            std::string why = disk_.message_or("failed");
            if (has_data) ::unlink(path.c_str());
            return after_failure(std::move(name), {make_error_code(errc::archive_failed), std::move(why)});
        }
        if (st == ARCHIVE_WARN && note.empty()) note = disk_.message_or("warning");
        std::string const shown = name;
        books_.record(std::move(name), entry_outcome::extracted, std::move(note));
        books_.tell_progress(shown);
    }

    [[nodiscard]] std::string absolute(std::string_view name) const {
        if (!name.empty() && name.front() == '/') return std::string(name);
        return root_ + "/" + std::string(name);
    }

    void failed(entry_view e, std::string name, std::string why) {
        if (books_.options().failure == on_failure::skip) books_.drain(e, name);
        after_failure(std::move(name), {make_error_code(errc::archive_failed), std::move(why)});
    }

    void after_failure(std::string name, entry_failure failure) {
        std::string const shown = name;
        books_.record_failure(std::move(name), std::move(failure));
        books_.tell_progress(shown);
    }

    /// Streams the entry's data to disk under the limits; why the entry failed, if it did.
    entry_failure copy_data(entry_view e, std::string const& name) {
        std::uint64_t entry_bytes = 0;
        try {
            for (block const& b : e.blocks()) {
                entry_bytes += b.data.size();
                books_.decoded(b.data.size(), name);
                books_.written(b.data.size(), entry_bytes, name);
                if (std::string why = disk_.data(b.data.data(), b.data.size(), b.offset); !why.empty()) {
                    books_.drain(e, name);
                    return {make_error_code(errc::archive_failed), std::move(why)};
                }
                books_.tell_progress(name);
            }
        } catch (error const& ex) {
            if (basic_extract_books<Deferred>::is_final(ex)) throw;
            return {ex.code(), ex.message()};
        }
        return {};
    }

    /// Removes a partly written file; libarchive is told the entry is over first.
    void discard(std::string const& path, std::string const& name) noexcept {
        try {
            (void)disk_.finish(name);
        } catch (...) {
        }
        ::unlink(path.c_str());
    }

    basic_extract_books<Deferred> books_;
    std::string root_;
    basic_disk_writer<Deferred> disk_;
};

/// A fully_trusted extraction (the one instantiation there is).
using trusted_extraction = basic_trusted_extraction<>;

} // namespace cbound::archive::detail
