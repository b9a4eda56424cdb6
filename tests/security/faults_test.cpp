// Fault cases 23-25: headers that disagree, corrupt data, and damaged archives.
#include "attack_fixture.hpp"

#include <cstdint>
#include <random>
#include <span>

using namespace attack;

namespace {

/// The lines of `text`, without the newlines.
std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t const end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

/// Reads every header and every data byte of `bytes` with cbound's reader. Returns
/// whether it failed, which must be with a cbound::archive::error: anything else thrown
/// fails the test where it is thrown; a crash or a sanitizer report fails the process.
bool read_fails_cleanly(std::span<std::byte const> bytes) {
    return error_from([&] {
               auto r = ca::reader::open_memory(bytes);
               for (ca::entry_view e : r) {
                   // Every name accessor may meet a NULL from libarchive on a damaged header.
                   (void)e.pathname(), (void)e.symlink(), (void)e.hardlink(), (void)e.size(), (void)e.type();
                   for (ca::block const& b : e.blocks())
                       (void)b;
               }
           })
        .has_value();
}

/// Extracts `bytes` into a fresh `dest`: true when it failed cleanly (a cbound::archive::error
/// or a report with a failed entry), with the same rule for anything else as read_fails_cleanly.
bool extract_fails_cleanly(std::span<std::byte const> bytes, fs::path const& dest) {
    std::error_code ec;
    fs::remove_all(dest, ec);
    fs::create_directories(dest);
    ca::extract_options o;
    o.unsafe = ca::on_unsafe::skip;
    o.limits.max_total_bytes = 4ull << 20;
    o.limits.max_entry_bytes = 4ull << 20;
    o.limits.max_entries = 1000;
    bool failed_entry = false;
    bool const thrown = error_from([&] {
                            auto r = ca::reader::open_memory(bytes);
                            failed_entry = ca::extract(r, dest, o).failed > 0;
                        }).has_value();
    return thrown || failed_entry;
}

/// Extraction touches the disk and costs ~100 times a read, so under sanitizers only
/// every `extract_stride`-th damaged archive is also extracted; all of them are read.
constexpr std::size_t extract_stride = 8;

/// Truncates the archive at every offset, then mutates <1% of its bytes 1000 times (fixed
/// seed): every read and extraction must end normally or in a cbound::archive::error.
void damage_everywhere(workspace const& ws, fs::path const& archive) {
    auto const original = cbound_test::to_bytes(cbound_test::read_file(archive));
    REQUIRE(original.size() > 100);
    fs::path const dest = ws.dest() / "run";
    REQUIRE(!read_fails_cleanly(original));
    REQUIRE(!extract_fails_cleanly(original, dest));

    std::size_t failures = 0;
    for (std::size_t n = 0; n < original.size(); ++n) {
        INFO("truncated at " << n << " of " << original.size());
        auto const cut = std::span(original).first(n);
        failures += read_fails_cleanly(cut) ? 1 : 0;
        if (n % extract_stride == 0) (void)extract_fails_cleanly(cut, dest);
    }
    // Cutting into the first header can only fail; the loop must have seen that.
    CHECK(failures > 0);

    // mt19937's output sequence is fixed by the standard, unlike the distributions.
    std::mt19937 random(20261123);
    std::size_t const most_flips = std::max<std::size_t>(1, (original.size() - 1) / 100);
    for (std::size_t round = 0; round < 1000; ++round) {
        auto mutated = original;
        std::size_t const flips = 1 + random() % most_flips;
        for (std::size_t i = 0; i < flips; ++i) {
            std::size_t const at = random() % mutated.size();
            mutated[at] ^= static_cast<std::byte>(1 + random() % 255);
        }
        INFO("mutation round " << round);
        (void)read_fails_cleanly(mutated);
        if (round % extract_stride == 0) (void)extract_fails_cleanly(mutated, dest);
    }
    ws.require_outside_untouched();
}

} // namespace

TEST_CASE("case 23: pax size smuggling: cbound lists exactly what libarchive lists") {
    if (!cbound_test::have_tool("bsdtar")) {
        WARN("skipped: no bsdtar");
        return;
    }
    for (char const* variant : {"larger", "smaller"}) {
        DYNAMIC_SECTION("pax size " << variant << " than ustar size") {
            workspace ws;
            fs::path const archive = ws.make("case23_pax_smuggle", "w.tar", std::string("--variant ") + variant);
            auto const listed = cbound_test::run("bsdtar -tf " + cbound_test::sh_quote(archive.string()));
            REQUIRE(listed.exit_code == 0);
            std::vector<std::string> names;
            auto r = ca::reader::open(archive);
            for (ca::entry_view e : r)
                names.push_back(std::string(e.pathname()));
            CHECK(names == lines_of(listed.output));
            // Extraction reads the same stream, so it creates exactly those entries.
            auto const report = ws.extract(archive);
            CHECK(report.entries.size() == names.size());
            // libarchive follows the pax size: the ustar size must not decide what is a header.
            bool const hidden_is_entry = std::string(variant) == "smaller";
            CHECK(fs::exists(ws.dest() / "hidden.txt") == hidden_is_entry);
            if (!hidden_is_entry) CHECK(fs::file_size(ws.dest() / "visible.txt") == 1024);
            ws.require_outside_untouched();
        }
    }
}

TEST_CASE("case 24: one flipped data byte fails the entry and removes the partial file") {
    for (char const* kind : {"zip", "7z"}) {
        DYNAMIC_SECTION(kind) {
            if (std::string(kind) == "7z" && !cbound_test::have_tool("7z")) {
                WARN("skipped: no 7z");
                continue;
            }
            workspace ws;
            fs::path const archive = ws.make("case24_flipped", std::string("x.") + kind, std::string("--kind ") + kind);
            // By default a failed entry throws, naming it, after its partial file is removed.
            auto const e = error_from([&] { ws.extract(archive); });
            REQUIRE(e.has_value());
            INFO(e->what());
            CHECK(e->pathname() == "data.bin");
            CHECK(std::string(e->what()).find("CRC") != std::string::npos);
            CHECK(!fs::exists(fs::symlink_status(ws.dest() / "data.bin")));
            // With on_failure::skip a failed entry is recorded and the rest goes on.
            ca::extract_options o;
            o.failure = ca::on_failure::skip;
            auto const report = ws.extract(archive, o);
            auto const rows = rows_named(report, "data.bin");
            REQUIRE(rows.size() == 1);
            INFO(rows.front().reason);
            CHECK(rows.front().outcome == ca::entry_outcome::failed);
            CHECK(!rows.front().reason.empty());
            CHECK(report.failed == 1);
            CHECK(cbound_test::read_file(ws.dest() / "good.txt") == "good\n");
            CHECK(!fs::exists(fs::symlink_status(ws.dest() / "data.bin")));
            ws.require_outside_untouched();
        }
    }
}

TEST_CASE("case 25: truncation at every offset and 1000 mutations give only clean errors") {
    for (char const* kind : {"tar", "zip", "7z"}) {
        DYNAMIC_SECTION(kind) {
            if (std::string(kind) == "7z" && !cbound_test::have_tool("7z")) {
                WARN("skipped: no 7z");
                continue;
            }
            workspace ws;
            damage_everywhere(ws, ws.make("case25_sample", std::string("y.") + kind, std::string("--kind ") + kind));
        }
    }
}
