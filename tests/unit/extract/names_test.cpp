// Names count against limits, and the report stays bounded whatever the archive holds.
#include "extract_fixture.hpp"

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

/// Runs `f` and requires errc::limit_exceeded.
template <class F>
void require_limit(F&& f) {
    try {
        f();
        FAIL("no exception");
    } catch (ca::error const& e) {
        INFO(e.what());
        CHECK(e.code() == ca::errc::limit_exceeded);
    }
}

} // namespace

TEST_CASE("a name or link target longer than max_name_bytes stops extraction", "[extract][names]") {
    cbound_test::scratch_dir work("names-long");
    // 70,000 bytes: over the 64 KiB default. pax carries any length.
    python_tar(work / "name.tar",
               "i = tarfile.TarInfo('/'.join(['d' * 200] * 350)); i.size = 1; t.addfile(i, io.BytesIO(b'x'))\n",
               "'w', format=tarfile.PAX_FORMAT");
    python_tar(work / "link.tar",
               "i = tarfile.TarInfo('l'); i.type = tarfile.SYMTYPE; i.linkname = 'x' * 70000; t.addfile(i)\n",
               "'w', format=tarfile.PAX_FORMAT");
    require_limit([&] { (void)extract_file(work / "name.tar", work / "a"); });
    require_limit([&] { (void)extract_file(work / "link.tar", work / "b"); });
    python_tar(work / "short.tar",
               "i = tarfile.TarInfo('l'); i.type = tarfile.SYMTYPE; i.linkname = 'x' * 150; t.addfile(i)\n");
    ca::extract_options o;
    o.limits.max_name_bytes = 100;
    require_limit([&] { (void)extract_file(work / "short.tar", work / "c", o); });
    o.limits.max_name_bytes = 0; // unlimited
    CHECK(extract_file(work / "short.tar", work / "d", o).extracted == 1);
}

TEST_CASE("the report keeps at most max_report_entries rows, then only entries not extracted", "[extract][names]") {
    cbound_test::scratch_dir work("names-report");
    python_tar(work / "t.tar", "for n in range(30):\n"
                               "    i = tarfile.TarInfo('f%d' % n); i.size = 1; t.addfile(i, io.BytesIO(b'x'))\n"
                               "for n in range(25):\n"
                               "    i = tarfile.TarInfo('../r%d' % n); i.size = 1; t.addfile(i, io.BytesIO(b'x'))\n");
    ca::extract_options o;
    o.unsafe = ca::on_unsafe::skip;
    o.limits.max_report_entries = 10;
    auto const rep = extract_file(work / "t.tar", work / "dest", o);
    // Counters are exact; rows: 10 of any kind, then refused ones up to 20 rows in all.
    CHECK(rep.extracted == 30);
    CHECK(rep.rejected == 25);
    REQUIRE(rep.entries.size() == 20);
    CHECK(rep.omitted == 35);
    CHECK(rep.entries[9].pathname == "f9");
    CHECK(rep.entries[10].pathname == "../r0");
    CHECK(rep.entries[10].outcome == ca::entry_outcome::rejected);
    CHECK(fs::exists(work / "dest/f29"));
}

TEST_CASE("the name bytes held by an extraction are bounded", "[extract][names]") {
    cbound_test::scratch_dir work("names-total");
    python_tar(work / "t.tar", "for n in range(40):\n"
                               "    i = tarfile.TarInfo(('%03d' % n) + 'n' * 200); i.size = 1\n"
                               "    t.addfile(i, io.BytesIO(b'x'))\n");
    ca::extract_options o;
    o.limits.max_total_name_bytes = 4000; // about 20 rows of the report
    require_limit([&] { (void)extract_file(work / "t.tar", work / "dest", o); });
    o.limits.max_total_name_bytes = 0;
    CHECK(extract_file(work / "t.tar", work / "ok", o).entries.size() == 40);
}
