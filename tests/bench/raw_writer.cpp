// Benchmarks: creating an archive from in-memory files with raw libarchive (the baseline
// of the cbound writer benchmark).
//
// The baseline is what a careful C programmer writes to do the same work as
// cbound::archive::writer::open(path, format::pax, filter) followed by add() per file:
//   - the program opens the file itself and hands libarchive a write callback into the
//     descriptor (archive_write_open2), as cbound's path sink does; archive_write_open_filename
//     would be a different code path (and, measured, a different malloc heap layout that alone
//     moved the small-entry ratio by 5%),
//   - the same format, filter and options: pax, no padding after the last block
//     (archive_write_set_bytes_in_last_block(a, 1)), gzip without a timestamp,
//   - archive_write_finish_entry after each entry's data, as cbound closes every entry,
//   - names given as UTF-8 and converted under a UTF-8 locale, as cbound does (it switches the
//     thread's locale around each header; a C program owning its thread switches once, which
//     is the cheaper choice, so the baseline never does more work than it has to).
// What cbound does beyond this (checking sizes and states, removing a half-written archive
// after a failure) is the safety being measured, so it is left out here.
#include "bench_main.hpp"
#include "workload.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <clocale>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <locale.h>
#include <unistd.h>

namespace {

void check(archive* a, int status, char const* what) {
    if (status == ARCHIVE_OK) return;
    std::string const message = std::string(what) + ": " + archive_error_string(a);
    archive_write_free(a);
    throw std::runtime_error(message);
}

// The client callbacks: `self` points at the descriptor.
la_ssize_t write_fd(archive* a, void* self, void const* buffer, std::size_t length) {
    int const fd = *static_cast<int*>(self);
    auto const* p = static_cast<char const*>(buffer);
    std::size_t left = length;
    while (left > 0) {
        ssize_t const n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            archive_set_error(a, n < 0 ? errno : EIO, "write failed");
            return -1;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    return static_cast<la_ssize_t>(length);
}

int close_fd(archive* a, void* self) {
    if (::close(*static_cast<int*>(self)) != 0 && errno != EINTR) {
        archive_set_error(a, errno, "close failed");
        return ARCHIVE_FATAL;
    }
    return ARCHIVE_OK;
}

//   create <out> <set> <none|gzip|zstd>
void create(bench::arguments const& args, bench::report& r) {
    bench::materialized const set = bench::materialize(bench::parse_set(args.at(1)));
    std::string const& filter = args.at(2);
    locale_t const utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (utf8 == static_cast<locale_t>(nullptr)) throw std::runtime_error("no C.UTF-8 locale");
    r.values["ns"] = bench::measure([&] {
        int fd = ::open(args.at(0).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) throw std::runtime_error(args.at(0) + ": " + std::strerror(errno));
        locale_t const previous = ::uselocale(utf8);
        archive* a = archive_write_new();
        check(a, archive_write_set_format_pax(a), "format");
        if (filter == "gzip") {
            check(a, archive_write_add_filter_gzip(a), "gzip");
            check(a, archive_write_set_options(a, "gzip:!timestamp"), "gzip options");
        }
        if (filter == "zstd") check(a, archive_write_add_filter_zstd(a), "zstd");
        check(a, archive_write_set_bytes_in_last_block(a, 1), "bytes in last block");
        check(a, archive_write_open2(a, &fd, nullptr, write_fd, close_fd, nullptr), "open");
        archive_entry* e = archive_entry_new();
        for (std::size_t i = 0; i < set.files.size(); ++i) {
            bench::file_spec const& f = set.files[i];
            archive_entry_clear(e);
            archive_entry_set_pathname_utf8(e, f.path.c_str());
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_size(e, static_cast<la_int64_t>(f.size));
            check(a, archive_write_header(a, e), "header");
            if (archive_write_data(a, set.data.data() + set.offset[i], f.size) != static_cast<la_ssize_t>(f.size))
                check(a, ARCHIVE_FATAL, "data");
            check(a, archive_write_finish_entry(a), "finish entry");
            bench::mix(r.checksum, f.size);
        }
        archive_entry_free(e);
        check(a, archive_write_close(a), "close");
        archive_write_free(a);
        ::uselocale(previous);
    });
    ::freelocale(utf8);
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"create", create}}; }
