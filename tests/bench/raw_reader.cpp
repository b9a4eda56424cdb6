// Benchmarks: listing and reading an archive with raw libarchive, the way a careful C
// programmer writes it (the baseline of the cbound reader benchmark).
#include "bench_main.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace {

// The block size cbound's reader::open passes to archive_read_open_filename (reader_options).
constexpr std::size_t block_size = 64 * 1024;

archive* open_archive(std::string const& path) {
    archive* a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open_filename(a, path.c_str(), block_size) != ARCHIVE_OK) {
        std::string const message = archive_error_string(a);
        archive_read_free(a);
        throw std::runtime_error(path + ": " + message);
    }
    return a;
}

void check_end(archive* a, int status) {
    if (status == ARCHIVE_EOF) return;
    std::string const message = archive_error_string(a);
    archive_read_free(a);
    throw std::runtime_error(message);
}

// The name limits of cbound's reader_options (max_name_bytes, max_total_name_bytes).
constexpr std::size_t max_name_bytes = std::size_t{64} << 10;
constexpr std::size_t max_total_name_bytes = std::size_t{512} << 20;

std::size_t length(char const* s) { return s != nullptr ? std::strlen(s) : 0; }

// The header loop a C programmer writes once: open, every header, check the end, free. An
// archive from a stranger can hold names of any length, so each header's path and link
// target count against the same limits cbound's reader applies; the path found for that is
// handed on (cbound's entry_view keeps it too).
template <class PerEntry>
void each_entry(std::string const& path, PerEntry per_entry) {
    archive* a = open_archive(path);
    archive_entry* e = nullptr;
    int status = ARCHIVE_OK;
    std::size_t total = 0;
    while ((status = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        char const* name = archive_entry_pathname(e);
        std::size_t const name_size = length(name);
        std::size_t const link = length(archive_entry_symlink(e)) + length(archive_entry_hardlink(e));
        total += name_size + link;
        if (name_size > max_name_bytes || link > max_name_bytes || total > max_total_name_bytes) {
            archive_read_free(a);
            throw std::runtime_error("a name exceeds the limits");
        }
        per_entry(a, e, name_size);
    }
    check_end(a, status);
    archive_read_free(a);
}

// Headers only: libarchive skips the data of an entry that is not read.
void list(bench::arguments const& args, bench::report& r) {
    r.values["ns"] = bench::measure([&] {
        each_entry(args.at(0), [&](archive*, archive_entry* e, std::size_t name_size) {
            bench::mix(r.checksum, name_size + static_cast<std::uint64_t>(archive_entry_size(e)));
        });
    });
}

// Every byte of every entry, block by block, touching the first byte of each block.
void read_all(bench::arguments const& args, bench::report& r) {
    r.values["ns"] = bench::measure([&] {
        each_entry(args.at(0), [&](archive* a, archive_entry*, std::size_t) {
            void const* data = nullptr;
            std::size_t size = 0;
            la_int64_t offset = 0;
            int block = ARCHIVE_OK;
            while ((block = archive_read_data_block(a, &data, &size, &offset)) == ARCHIVE_OK) {
                bench::mix(r.checksum, static_cast<std::uint64_t>(offset) + size +
                                           (size != 0 ? *static_cast<unsigned char const*>(data) : 0U));
            }
            check_end(a, block);
        });
    });
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"list", list}, {"read", read_all}}; }
