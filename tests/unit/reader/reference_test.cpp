// The reader against the loop a careful C programmer writes with libarchive, over every kind
// of archive the reader tests make and over damaged copies of them: the same entries (names,
// modes, sizes, data digests), the same entries failing, the same point where reading stops.
#include "reader_fixture.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <cstdint>
#include <cstring>
#include <sstream>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// What one entry gave: its header fields, a digest of its data blocks, and whether they failed.
struct seen_entry {
    std::string name;
    unsigned mode = 0;
    bool hardlink = false;
    std::int64_t size = -1; // -1: not declared
    std::uint64_t digest = 14695981039346656037ull;
    bool data_failed = false;
    bool operator==(seen_entry const&) const = default;
};

/// Everything a reading gave: the entries, and how it ended.
struct seen_archive {
    bool opened = true;
    std::vector<seen_entry> entries;
    bool header_failed = false; // reading stopped at a header that could not be read
    bool operator==(seen_archive const&) const = default;
};

std::ostream& operator<<(std::ostream& os, seen_archive const& a) {
    os << (a.opened ? "" : "(not opened) ");
    for (auto const& e : a.entries)
        os << "[" << e.name << " mode " << std::oct << e.mode << std::dec << (e.hardlink ? " hardlink" : "") << " size "
           << e.size << " digest " << e.digest << (e.data_failed ? " FAILED" : "") << "] ";
    return os << (a.header_failed ? "(header failed)" : "(end)");
}

/// FNV-1a over a block's offset and bytes.
void mix(std::uint64_t& h, std::int64_t offset, void const* data, std::size_t size) {
    auto step = [&](unsigned char c) { h = (h ^ c) * 1099511628211ull; };
    for (int i = 0; i < 8; ++i)
        step(static_cast<unsigned char>(static_cast<std::uint64_t>(offset) >> (8 * i)));
    for (std::size_t i = 0; i < size; ++i)
        step(static_cast<unsigned char const*>(data)[i]);
}

/// The careful C loop: names read under a UTF-8 locale, RETRY retried a bounded number of
/// times, a data failure recorded and the loop goes on, the first failed header ends it.
seen_archive raw_read(std::string const& bytes) {
    seen_archive out;
    locale_t const utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    locale_t const previous = ::uselocale(utf8);
    struct archive* a = archive_read_new();
    archive_read_support_format_all(a);
    archive_read_support_filter_all(a);
    if (archive_read_open_memory(a, bytes.data(), bytes.size()) < ARCHIVE_WARN) {
        out.opened = false;
    } else {
        struct archive_entry* e = nullptr;
        int retries = 0;
        for (;;) {
            int const r = archive_read_next_header(a, &e);
            if (r == ARCHIVE_EOF) break;
            if (r == ARCHIVE_RETRY && ++retries <= 16) continue;
            if (r < ARCHIVE_WARN || r == ARCHIVE_RETRY) { // RETRY past the bound counts as a failure
                out.header_failed = true;
                break;
            }
            retries = 0;
            seen_entry s;
            char const* name = archive_entry_pathname(e);
            s.name = name != nullptr ? name : "";
            s.mode = archive_entry_mode(e);
            s.hardlink = archive_entry_hardlink(e) != nullptr;
            s.size = archive_entry_size_is_set(e) != 0 ? archive_entry_size(e) : -1;
            void const* block = nullptr;
            std::size_t size = 0;
            la_int64_t offset = 0;
            int d = ARCHIVE_OK;
            for (int tries = 0; tries <= 16;) {
                d = archive_read_data_block(a, &block, &size, &offset);
                if (d == ARCHIVE_RETRY) {
                    ++tries;
                    continue;
                }
                if (d != ARCHIVE_OK) break;
                mix(s.digest, offset, block, size);
            }
            s.data_failed = d != ARCHIVE_EOF;
            out.entries.push_back(s);
        }
    }
    archive_read_free(a);
    ::uselocale(previous);
    ::freelocale(utf8);
    return out;
}

/// The same through cbound's reader.
seen_archive cbound_read(std::string const& bytes) {
    seen_archive out;
    auto const mem = cbound_test::to_bytes(bytes);
    std::optional<ca::reader> r;
    try {
        r.emplace(ca::reader::open_memory(mem));
    } catch (ca::error const&) {
        out.opened = false;
        return out;
    }
    try {
        for (ca::entry_view e : *r) {
            seen_entry s;
            s.name = std::string(e.pathname());
            s.mode = e.mode();
            s.hardlink = e.hardlink().has_value();
            s.size = e.size().value_or(-1);
            try {
                for (ca::block const& b : e.blocks())
                    mix(s.digest, b.offset, b.data.data(), b.data.size());
            } catch (ca::error const&) {
                s.data_failed = true;
            }
            out.entries.push_back(s);
        }
    } catch (ca::error const&) {
        out.header_failed = true;
    }
    return out;
}

/// Archives of every kind the reader tests make, by the same tools.
std::vector<std::pair<std::string, std::string>> corpus(sample_tree const& t) {
    std::vector<std::pair<std::string, std::string>> out;
    auto make = [&](std::string const& label, std::string const& command) {
        auto path = t.out("ref-" + label);
        t.sh(command + " " + sh_quote(path.string()) + " hello.txt sub link hard");
        out.emplace_back(label, cbound_test::read_file(path));
    };
    for (std::string fmt : {"pax", "ustar", "gnutar", "cpio", "newc", "zip", "7zip", "ar", "iso9660", "xar", "warc"})
        make(fmt, "bsdtar --format=" + fmt + " -cf");
    for (std::string flag : {"-z", "-j", "-J", "--zstd", "--lz4", "--lzma", "--lzip", "-Z"})
        make("pax" + flag, "bsdtar --format=pax " + flag + " -cf");
    make("gnu-tar", "tar --format=gnu -cf");
    t.sh("truncate -s 1M sparse && printf x | dd of=sparse bs=1 seek=600000 conv=notrunc status=none");
    for (std::string fmt : {"gnu", "posix"}) {
        auto path = t.out("ref-sparse-" + fmt);
        t.sh("tar --sparse --format=" + fmt + " -cf " + sh_quote(path.string()) + " sparse hello.txt");
        out.emplace_back("sparse-" + fmt, cbound_test::read_file(path));
    }
    // A tar whose second header is damaged: libarchive skips it with RETRY.
    std::string damaged = out.front().second;
    damaged[512 + 148] = static_cast<char>(damaged[512 + 148] ^ 1);
    out.emplace_back("pax-damaged-header", damaged);
    if (cbound_test::have_tool("zip")) make("infozip.zip", "zip -qry");
    if (cbound_test::have_tool("gcab")) { // CAB, MSZIP-compressed: one damaged block fails the entries after it
        auto path = t.out("ref.cab");
        t.sh("gcab -c -z " + sh_quote(path.string()) + " hello.txt sub/data.bin sub/empty");
        out.emplace_back("cab", cbound_test::read_file(path));
    }
    if (cbound_test::have_tool("7z")) {
        auto path = t.out("ref-enc.7z");
        t.sh("7z a -bd -pSECRET " + sh_quote(path.string()) + " hello.txt sub >/dev/null");
        out.emplace_back("7z-encrypted", cbound_test::read_file(path));
    }
    return out;
}

} // namespace

TEST_CASE("the reader delivers what the careful C loop over libarchive delivers, damaged archives included") {
    sample_tree t;
    std::size_t compared = 0;
    std::size_t failing = 0;
    for (auto const& [label, bytes] : corpus(t)) {
        std::vector<std::pair<std::string, std::string>> variants = {{"whole", bytes}};
        // Truncated at a few places, and one byte flipped at a few others (deterministic).
        for (std::size_t k = 1; k <= 4; ++k)
            variants.emplace_back("cut at " + std::to_string(bytes.size() * k / 5),
                                  bytes.substr(0, bytes.size() * k / 5));
        for (std::size_t k = 0; k < 8; ++k) {
            std::size_t const at = (bytes.size() * (2 * k + 1)) / 17 + k;
            if (at >= bytes.size()) continue;
            std::string bad = bytes;
            bad[at] = static_cast<char>(bad[at] ^ 0x41);
            variants.emplace_back("flip at " + std::to_string(at), std::move(bad));
        }
        for (auto const& [variant, data] : variants) {
            INFO(label << ", " << variant);
            seen_archive const raw = raw_read(data);
            seen_archive const wrapped = cbound_read(data);
            INFO("raw:    " << raw);
            INFO("cbound: " << wrapped);
            CHECK(raw == wrapped);
            ++compared;
            for (auto const& e : raw.entries)
                failing += e.data_failed ? 1 : 0;
        }
    }
    CHECK(compared > 200);
    CHECK(failing > 0); // the damaged copies do exercise failed entries
}
