// Names are right whatever the thread's locale: the writer sets names as their bytes when
// the locale is UTF-8 (no conversion) and as UTF-8 under a switched locale otherwise.
#include "writer_fixture.hpp"

#include <cbound/archive/detail/locale.hpp>

#include <clocale>
#include <locale.h>

using namespace writer_test;

namespace {

std::string const accented = "caf\xc3\xa9/na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac.txt"; // café/naïve 日本.txt
std::string const not_utf8 = "latin1-\xe9.txt";

// Writes the sample names in `fmt` with the thread in `locale` ("C" or a UTF-8 one).
std::vector<std::byte> write_names(ar::format fmt, locale_t locale) {
    locale_t const previous = ::uselocale(locale);
    std::vector<std::byte> out;
    try {
        ar::writer w = ar::writer::open_memory(out, fmt);
        w.add({.pathname = accented, .uname = "j\xc3\xb6rg"}, bytes_of("data"));
        w.add({.pathname = "link", .type = ar::entry_type::symlink, .symlink = accented});
        w.close();
    } catch (...) {
        ::uselocale(previous);
        throw;
    }
    ::uselocale(previous);
    return out;
}

} // namespace

TEST_CASE("the writer stores UTF-8 names identically whether the thread's locale is C or UTF-8") {
    locale_t const c = ::newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(nullptr));
    locale_t const utf8 = cbound::archive::detail::utf8_locale();
    REQUIRE(c != static_cast<locale_t>(nullptr));
    REQUIRE(utf8 != LC_GLOBAL_LOCALE);
    for (ar::format const fmt : {ar::format::pax, ar::format::gnutar, ar::format::zip, ar::format::cpio_newc,
                                 ar::format::sevenzip, ar::format::xar}) {
        CAPTURE(ar::to_string(fmt));
        std::vector<std::byte> const in_c = write_names(fmt, c);
        std::vector<std::byte> const in_utf8 = write_names(fmt, utf8);
        if (fmt != ar::format::xar) CHECK(in_c == in_utf8); // xar stamps the time of writing
        CHECK(read_back(in_utf8) == listing{{accented, "data"}, {"link", ""}});
        ar::reader r = ar::reader::open_memory(in_utf8);
        for (ar::entry_view e : r)
            if (e.pathname() == "link") CHECK(e.symlink() == accented);
    }
    ::freelocale(c);
}

TEST_CASE(
    "in a UTF-8 locale, python and bsdtar read the writer's UTF-8 names; a name that is not UTF-8 keeps its bytes") {
    scratch_dir dir("w-locale");
    locale_t const previous = ::uselocale(cbound::archive::detail::utf8_locale());
    std::string const path = (dir / "n.tar").string();
    {
        ar::writer w = ar::writer::open(path);
        w.add({.pathname = accented}, bytes_of("data"));
        w.add({.pathname = not_utf8}, bytes_of("raw"));
        w.close();
    }
    ::uselocale(previous);
    auto const py = run("python3 -c " +
                        sh_quote("import sys, tarfile\nfor m in tarfile.open(sys.argv[1], encoding='utf-8', "
                                 "errors='surrogateescape'): print(m.name.encode('utf-8', 'surrogateescape').hex())") +
                        " " + sh_quote(path));
    REQUIRE(py.exit_code == 0);
    auto hex = [](std::string const& s) {
        std::string out;
        for (unsigned char c : s) {
            static char const digits[] = "0123456789abcdef";
            out += digits[c >> 4];
            out += digits[c & 15];
        }
        return out;
    };
    CHECK(py.output == hex(accented) + "\n" + hex(not_utf8) + "\n");
    if (have_tool("bsdtar")) {
        auto const listed = run("LC_ALL=C.UTF-8 bsdtar -tf " + sh_quote(path));
        CHECK(listed.output.find(accented) != std::string::npos);
    }
}

TEST_CASE("is_ascii finds a byte past ASCII at any place in names of any length") {
    using cbound::archive::detail::is_ascii;
    for (std::size_t length = 0; length <= 40; ++length) {
        std::string name(length, 'a');
        CHECK(is_ascii(name.c_str()));
        for (std::size_t at = 0; at < length; ++at) {
            std::string marked = name;
            marked[at] = '\x80';
            CAPTURE(length, at);
            CHECK_FALSE(is_ascii(marked.c_str()));
        }
    }
}

TEST_CASE("in the C locale, an entry with one name past ASCII still gets every name right") {
    // ASCII names skip the locale switch; a non-ASCII link target alone must still bring it back.
    std::vector<std::byte> out;
    ar::writer w = ar::writer::open_memory(out, ar::format::cpio_newc);
    w.add({.pathname = "plain", .type = ar::entry_type::symlink, .symlink = accented});
    w.add({.pathname = "owned", .uname = "j\xc3\xb6rg"}, bytes_of("x"));
    w.close();
    ar::reader r = ar::reader::open_memory(out);
    for (ar::entry_view e : r)
        if (e.pathname() == "plain") CHECK(e.symlink() == accented);
}
