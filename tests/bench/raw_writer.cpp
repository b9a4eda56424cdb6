// Benchmarks: creating an archive from in-memory files with raw libarchive (the baseline
// of the cbound writer benchmark).
//
// The baseline is the loop a C programmer naturally writes to do the same work as
// cbound::archive::writer::open(path, format::pax, filter) followed by add() per file:
//   - archive_write_open_filename, which (for a regular file) adds no padding after the last
//     block, as cbound does;
//   - the same format, filter and options: pax, gzip without a timestamp (so that both sides
//     write the same bytes);
//   - one entry cleared and reused, names set with archive_entry_set_pathname in the
//     program's locale, archive_write_finish_entry after each entry's data to hear about
//     errors, as cbound closes every entry.
// In a UTF-8 locale this writes the same bytes as cbound for any name; in "C" it is right
// only for ASCII names (the workload's), where cbound still keeps every name right.
// What cbound does beyond this (checking sizes and states, removing a half-written archive
// after a failure) is the safety being measured, so it is left out here.
#include "bench_main.hpp"
#include "workload.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <stdexcept>
#include <string>

namespace {

void check(archive* a, int status, char const* what) {
    if (status == ARCHIVE_OK) return;
    std::string const message = std::string(what) + ": " + archive_error_string(a);
    archive_write_free(a);
    throw std::runtime_error(message);
}

//   create <out> <set> <none|gzip|zstd>
void create(bench::arguments const& args, bench::report& r) {
    bench::materialized const set = bench::materialize(bench::parse_set(args.at(1)));
    std::string const& filter = args.at(2);
    r.values["ns"] = bench::measure([&] {
        archive* a = archive_write_new();
        check(a, archive_write_set_format_pax(a), "format");
        if (filter == "gzip") {
            check(a, archive_write_add_filter_gzip(a), "gzip");
            check(a, archive_write_set_options(a, "gzip:!timestamp"), "gzip options");
        }
        if (filter == "zstd") check(a, archive_write_add_filter_zstd(a), "zstd");
        check(a, archive_write_open_filename(a, args.at(0).c_str()), "open");
        archive_entry* e = archive_entry_new();
        for (std::size_t i = 0; i < set.files.size(); ++i) {
            bench::file_spec const& f = set.files[i];
            archive_entry_clear(e);
            archive_entry_set_pathname(e, f.path.c_str());
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
    });
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"create", create}}; }
