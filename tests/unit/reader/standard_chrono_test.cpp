// The headers with CBOUND_STANDARD_CHRONO: they then take the standard <chrono> rather than
// libstdc++'s <bits/chrono.h> (cbound/detail/chrono.hpp), the path every other standard
// library takes. This translation unit checks that the headers compile that way and that
// times round-trip; the other reader tests cover the default path.
#define CBOUND_STANDARD_CHRONO 1
#include <cbound/archive.hpp>

// Only the whole <chrono> declares the calendar: its presence shows which header was taken.
// Checked before anything else is included (Catch includes <chrono> itself).
static_assert(sizeof(std::chrono::year_month_day) > 0);

#include "catch.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace ar = cbound::archive;

TEST_CASE("the headers compile over the standard <chrono>, and times round-trip", "[reader][chrono]") {
    using namespace std::chrono;
    ar::entry_time const when = sys_days(year(2024) / 2 / 29) + hours(13) + seconds(7);
    std::vector<std::byte> const tar = ar::writer::to_memory(ar::format::pax, ar::filter::none, [&](ar::writer& w) {
        ar::entry_info info;
        info.pathname = "leap.txt";
        info.mtime = when;
        w.add(info, std::as_bytes(std::span("x", 1)));
    });
    ar::reader r = ar::reader::open_memory(tar);
    auto e = r.next();
    REQUIRE(e);
    CHECK(e->pathname() == "leap.txt");
    REQUIRE(e->mtime());
    CHECK(*e->mtime() == when);
    CHECK(!r.next());
}
