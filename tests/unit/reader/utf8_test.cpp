// Names come out as UTF-8 although this program never calls setlocale (its locale is "C").
// Built as its own executable so that nothing else in the process touches the locale.
#include "reader_fixture.hpp"

#include <cbound/archive/detail/locale.hpp>

#include <langinfo.h>
#include <locale.h>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

constexpr std::string_view utf8_name = "h\xc3\xa9llo-\xe6\x97\xa5\xe6\x9c\xac.txt"; // héllo-日本.txt

/// Writes an archive with python: three ASCII entries, then the UTF-8 name (so libarchive
/// meets its first non-ASCII name only after a few headers).
fs::path make(sample_tree const& t, std::string const& kind) {
    auto out = t.out("u." + kind);
    std::string script = kind == "tar"
                             ? "import tarfile,io,sys\n"
                               "with tarfile.open(sys.argv[1],'w',format=tarfile.PAX_FORMAT,encoding='utf-8') as t:\n"
                               " for n in ['a','b','c',sys.argv[2]]:\n"
                               "  i=tarfile.TarInfo(n); d=n.encode(); i.size=len(d); t.addfile(i, io.BytesIO(d))\n"
                             : "import zipfile,sys\n"
                               "with zipfile.ZipFile(sys.argv[1],'w') as z:\n"
                               " for n in ['a','b','c',sys.argv[2]]: z.writestr(n, n.encode())\n";
    auto r = run("LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8 python3 -c " + sh_quote(script) + " " + sh_quote(out.string()) +
                 " " + sh_quote(utf8_name));
    REQUIRE(r.exit_code == 0);
    return out;
}

/// The last entry's name and content, checking that no warning was raised on the way.
void check_names(fs::path const& archive) {
    auto r = ca::reader::open(archive);
    std::vector<std::string> names;
    std::string last_content;
    for (ca::entry_view e : r) {
        names.emplace_back(e.pathname());
        last_content = content(e);
    }
    REQUIRE(names.size() == 4);
    CHECK(names.back() == utf8_name);
    CHECK(last_content == utf8_name);
    CHECK(r.warnings().empty());
}

} // namespace

TEST_CASE("this test binary runs in the C locale") { CHECK(std::string_view(nl_langinfo(CODESET)) != "UTF-8"); }

TEST_CASE("a pax UTF-8 name reads as UTF-8 without setlocale") {
    sample_tree t;
    check_names(make(t, "tar"));
}

TEST_CASE("a zip name with the UTF-8 flag reads as UTF-8 without setlocale") {
    sample_tree t;
    check_names(make(t, "zip"));
}

TEST_CASE("a 7z (UTF-16) name reads as UTF-8 without setlocale") {
    sample_tree t;
    auto tar = make(t, "tar");
    auto sz = t.out("u.7z");
    t.sh("LC_ALL=C.UTF-8 bsdtar --format=7zip -cf " + sh_quote(sz.string()) + " @" + sh_quote(tar.string()));
    check_names(sz);
}

TEST_CASE("a reader leaves the thread's locale as it found it, and reads UTF-8 under a UTF-8 thread locale too") {
    sample_tree t;
    auto tar = make(t, "tar");
    locale_t const before = ::uselocale(static_cast<locale_t>(nullptr));
    check_names(tar);
    CHECK(::uselocale(static_cast<locale_t>(nullptr)) == before);
    // Already UTF-8 at open: the reader skips its per-header switch and must still be right.
    locale_t const previous = ::uselocale(ca::detail::utf8_locale());
    check_names(tar);
    ::uselocale(previous);
}
