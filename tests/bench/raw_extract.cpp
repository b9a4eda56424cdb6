// Benchmarks: extracting an archive with raw libarchive under the protections cbound's
// default policy starts from (no "..", no absolute paths, no writing through symlinks),
// written the way bsdtar does it: chdir into the destination, then copy block by block.
#include "bench_main.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <stdexcept>
#include <string>
#include <unistd.h>

namespace {

constexpr std::size_t block_size = 64 * 1024;

void check(archive* in, archive* out, archive* which, int status, char const* what) {
    if (status >= ARCHIVE_WARN) return;
    std::string const message = std::string(what) + ": " + archive_error_string(which);
    archive_read_free(in);
    archive_write_free(out);
    throw std::runtime_error(message);
}

//   extract <archive> <dest>
void extract(bench::arguments const& args, bench::report& r) {
    r.values["ns"] = bench::measure([&] {
        archive* in = archive_read_new();
        archive_read_support_filter_all(in);
        archive_read_support_format_all(in);
        archive* out = archive_write_disk_new();
        archive_write_disk_set_options(out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
        archive_write_disk_set_standard_lookup(out);
        check(in, out, in, archive_read_open_filename(in, args.at(0).c_str(), block_size), "open");
        if (::chdir(args.at(1).c_str()) != 0) check(in, out, in, ARCHIVE_FATAL, "chdir");
        archive_entry* e = nullptr;
        int status = ARCHIVE_OK;
        while ((status = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
            check(in, out, out, archive_write_header(out, e), "write header");
            void const* data = nullptr;
            std::size_t size = 0;
            la_int64_t offset = 0;
            int block = ARCHIVE_OK;
            while ((block = archive_read_data_block(in, &data, &size, &offset)) == ARCHIVE_OK) {
                check(in, out, out, static_cast<int>(archive_write_data_block(out, data, size, offset)), "write");
                r.values["bytes"] += size;
            }
            check(in, out, in, block == ARCHIVE_EOF ? ARCHIVE_OK : block, "read");
            check(in, out, out, archive_write_finish_entry(out), "finish");
            ++r.values["extracted"];
        }
        check(in, out, in, status == ARCHIVE_EOF ? ARCHIVE_OK : status, "next header");
        check(in, out, out, archive_write_close(out), "close");
        archive_read_free(in);
        archive_write_free(out);
    });
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"extract", extract}}; }
