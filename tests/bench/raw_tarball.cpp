// Benchmarks: random access into an uncompressed tar with raw libarchive — a header scan
// over the mapped file, and the index a careful C programmer would build from it (each
// entry's data pointer, which archive_read_open_memory hands out zero-copy).
#define BENCH_COUNT_MALLOC
#include "bench_main.hpp"
#include "lookups.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

struct mapping {
    void const* data = nullptr;
    std::size_t size = 0;
};

mapping map_file(std::string const& path) {
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + path);
    struct stat st {};
    ::fstat(fd, &st);
    mapping m{nullptr, static_cast<std::size_t>(st.st_size)};
    m.data = ::mmap(nullptr, m.size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m.data == MAP_FAILED) throw std::runtime_error("cannot map " + path);
    return m;
}

archive* open_memory(mapping const& m) {
    archive* a = archive_read_new();
    // The same support calls as cbound::archive::tarball, so format probing costs the same.
    archive_read_support_format_all(a);
    archive_read_support_filter_all(a);
    if (archive_read_open_memory(a, m.data, m.size) != ARCHIVE_OK) {
        archive_read_free(a);
        throw std::runtime_error("not a tar");
    }
    return a;
}

// The bare header scan: what any index must at least do.
void scan(bench::arguments const& args, bench::report& r) {
    mapping m;
    r.values["ns"] = bench::measure([&] {
        m = map_file(args.at(0));
        archive* a = open_memory(m);
        archive_entry* e = nullptr;
        std::uint64_t entries = 0;
        while (archive_read_next_header(a, &e) == ARCHIVE_OK)
            ++entries;
        archive_read_free(a);
        r.values["entries"] = entries;
    });
    ::munmap(const_cast<void*>(m.data), m.size);
}

struct slot {
    char const* data;
    std::size_t size;
};

// Index build (pathname + data pointer of every entry) and random lookups in it.
void build_index(bench::arguments const& args, bench::report& r) {
    mapping m;
    std::vector<std::string> names;
    std::vector<slot> slots;
    r.values["ns"] = bench::measure([&] {
        m = map_file(args.at(0));
        archive* a = open_memory(m);
        archive_entry* e = nullptr;
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
            names.emplace_back(archive_entry_pathname(e));
            void const* data = nullptr;
            std::size_t size = 0;
            la_int64_t offset = 0;
            bool const regular = archive_entry_filetype(e) == AE_IFREG;
            if (regular && archive_read_data_block(a, &data, &size, &offset) != ARCHIVE_OK) data = nullptr;
            slots.push_back({regular ? static_cast<char const*>(data) : nullptr, size});
        }
        archive_read_free(a);
    });
    r.values["entries"] = slots.size();
    auto const order = bench::random_indices(slots.size(), std::stoul(args.at(1)));
    bench::allocation_counter::armed = true;
    std::uint64_t const ns = bench::measure([&] {
        for (std::size_t i : order) {
            slot const& s = slots[i];
            if (s.data == nullptr) continue;
            bench::mix(r.checksum, s.size + (s.size != 0 ? static_cast<unsigned char>(s.data[0]) : 0U));
        }
    });
    bench::allocation_counter::armed = false;
    r.values["lookup_ps"] = ns * 1000 / (order.empty() ? 1 : order.size());
    r.values["lookup_allocs"] = bench::allocation_counter::count;
    ::munmap(const_cast<void*>(m.data), m.size);
}

} // namespace

std::map<std::string_view, bench::operation> bench::operations() { return {{"scan", scan}, {"index", build_index}}; }
