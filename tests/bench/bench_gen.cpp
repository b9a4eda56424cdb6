// Benchmarks: writes a workload tar (deterministic) with raw libarchive.
//
//   bench_gen <out.tar> <set>     set = small:<count> | large:<count>x<MiB>
//
// Folders get their own entries (as bsdtar would write them) so extraction creates them
// from the archive; every entry carries fixed times and owners so the bytes never vary.
#include "workload.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

namespace {

int fail(archive* a, char const* what) {
    std::fprintf(stderr, "bench_gen: %s: %s\n", what, archive_error_string(a));
    archive_write_free(a);
    return 1;
}

void set_common(archive_entry* e, std::string const& path, mode_t type, int perm) {
    archive_entry_clear(e);
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, perm);
    archive_entry_set_mtime(e, bench::workload_mtime, 0);
    archive_entry_set_uid(e, 1000);
    archive_entry_set_gid(e, 1000);
    archive_entry_set_uname(e, "bench");
    archive_entry_set_gname(e, "bench");
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: bench_gen <out.tar> <small:N | large:NxMiB>\n");
        return 2;
    }
    auto const files = bench::parse_set(argv[2]);
    if (files.empty()) {
        std::fprintf(stderr, "bench_gen: unknown set '%s'\n", argv[2]);
        return 2;
    }
    archive* a = archive_write_new();
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK) return fail(a, "format");
    if (archive_write_open_filename(a, argv[1]) != ARCHIVE_OK) return fail(a, argv[1]);
    archive_entry* e = archive_entry_new();
    std::set<std::string> folders;
    std::vector<std::byte> buffer;
    for (auto const& f : files) {
        // Parent folders first, each once.
        for (auto slash = f.path.find('/'); slash != std::string::npos; slash = f.path.find('/', slash + 1)) {
            std::string const dir = f.path.substr(0, slash);
            if (!folders.insert(dir).second) continue;
            set_common(e, dir, AE_IFDIR, 0755);
            if (archive_write_header(a, e) != ARCHIVE_OK) return fail(a, dir.c_str());
        }
        set_common(e, f.path, AE_IFREG, 0644);
        archive_entry_set_size(e, static_cast<la_int64_t>(f.size));
        if (archive_write_header(a, e) != ARCHIVE_OK) return fail(a, f.path.c_str());
        buffer.resize(f.size);
        bench::fill(f, buffer.data());
        if (archive_write_data(a, buffer.data(), buffer.size()) != static_cast<la_ssize_t>(buffer.size()))
            return fail(a, f.path.c_str());
    }
    archive_entry_free(e);
    if (archive_write_close(a) != ARCHIVE_OK) return fail(a, "close");
    archive_write_free(a);
    return 0;
}
