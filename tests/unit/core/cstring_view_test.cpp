// Tests for cbound/cstring_view.hpp: the terminator is never lost, size() is always strlen.
#include "catch.hpp"

#include <cbound/cstring_view.hpp>

#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>

namespace {

// size() == strlen(c_str()) and c_str()[size()] == NUL: the promise every test checks.
void require_terminated(cbound::cstring_view v) {
    REQUIRE(v.c_str() != nullptr);
    REQUIRE(v.size() == std::strlen(v.c_str()));
    REQUIRE(v.c_str()[v.size()] == '\0');
}

// A C function that reads up to the NUL, as every consumer of c_str() does.
std::size_t c_length(char const* s) { return std::strlen(s); }

template <class V>
concept can_remove_suffix = requires(V v) {
    v.remove_suffix(1);
};

} // namespace

TEST_CASE("cstring_view from a literal is constexpr and knows its length") {
    constexpr cbound::cstring_view v = "hello";
    STATIC_REQUIRE(v.size() == 5);
    STATIC_REQUIRE(v[5] == '\0');
    STATIC_REQUIRE(v == "hello");
    STATIC_REQUIRE(v.substr(2) == "llo");
    require_terminated(v);
}

TEST_CASE("a default cstring_view is empty and still a valid C string") {
    cbound::cstring_view v;
    REQUIRE(v.empty());
    REQUIRE(c_length(v.c_str()) == 0);
    require_terminated(v);
}

TEST_CASE("cstring_view borrows a std::string and sees what C would see") {
    std::string s = "borrowed";
    cbound::cstring_view v = s;
    REQUIRE(v.c_str() == s.c_str()); // no copy
    require_terminated(v);

    std::string with_nul("ab\0cd", 5);
    cbound::cstring_view w = with_nul;
    REQUIRE(w.size() == 2); // a C function would stop at the NUL too
    REQUIRE(w == "ab");
    require_terminated(w);
}

TEST_CASE("cstring_view from a pointer is explicit and measures the string") {
    char const* p = "from a pointer";
    STATIC_REQUIRE(!std::is_convertible_v<char const*, cbound::cstring_view>);
    STATIC_REQUIRE(std::is_constructible_v<cbound::cstring_view, char const*>);
    STATIC_REQUIRE(!std::is_constructible_v<cbound::cstring_view, std::nullptr_t>);
    STATIC_REQUIRE(!std::is_constructible_v<cbound::cstring_view, std::string&&>);
    STATIC_REQUIRE(!std::is_constructible_v<cbound::cstring_view, std::string_view>); // may lack a NUL
    cbound::cstring_view v(p);
    REQUIRE(v.size() == 14);
    require_terminated(v);
}

TEST_CASE("an array is viewed up to its first NUL") {
    char buf[16] = "abc"; // the rest is zeros
    cbound::cstring_view v = buf;
    REQUIRE(v.size() == 3);
    require_terminated(v);
}

TEST_CASE("operations that keep the terminator stay cstring_view, the others give string_view") {
    cbound::cstring_view v = "prefix.suffix";
    STATIC_REQUIRE(std::is_same_v<decltype(v.substr(1)), cbound::cstring_view>);
    STATIC_REQUIRE(std::is_same_v<decltype(v.substr(1, 2)), std::string_view>);
    STATIC_REQUIRE(!can_remove_suffix<cbound::cstring_view>);
    STATIC_REQUIRE(can_remove_suffix<std::string_view>);

    cbound::cstring_view tail = v.substr(7);
    REQUIRE(tail == "suffix");
    require_terminated(tail);
    REQUIRE(v.substr(100).empty()); // clamped, still terminated
    require_terminated(v.substr(100));
    REQUIRE(v.substr(0, 6) == "prefix");

    cbound::cstring_view r = v;
    r.remove_prefix(7);
    REQUIRE(r == "suffix");
    require_terminated(r);
}

TEST_CASE("cstring_view converts to std::string_view and searches like it") {
    cbound::cstring_view v = "a/b/c.txt";
    std::string_view sv = v;
    REQUIRE(sv == "a/b/c.txt");
    REQUIRE(v.find('/') == 1);
    REQUIRE(v.rfind('/') == 3);
    REQUIRE(v.find_first_of("./") == 1);
    REQUIRE(v.find_last_not_of("txt") == 5);
    REQUIRE(v.starts_with("a/"));
    REQUIRE(v.ends_with(".txt"));
    REQUIRE(v.contains("b/c"));
    REQUIRE_FALSE(v.contains('z'));
    REQUIRE(v.front() == 'a');
    REQUIRE(v.back() == 't');
    REQUIRE(std::string(v.begin(), v.end()) == "a/b/c.txt");
    REQUIRE(std::string(v.rbegin(), v.rend()) == "txt.c/b/a");
}

TEST_CASE("cstring_view compares with views, strings and literals, in both orders") {
    cbound::cstring_view v = "m";
    std::string s = "m";
    std::string_view sv = "n";
    REQUIRE(v == s);
    REQUIRE(s == v);
    REQUIRE(v != sv);
    REQUIRE(v < sv);
    REQUIRE(sv > v);
    REQUIRE("a" < v);
    REQUIRE(v == cbound::cstring_view("m"));
    REQUIRE((v <=> cbound::cstring_view("m")) == std::strong_ordering::equal);
    REQUIRE(v.compare("m") == 0);
}

TEST_CASE("cstring_view hashes as its string_view, so it finds std::string keys' hashes") {
    cbound::cstring_view v = "key";
    REQUIRE(std::hash<cbound::cstring_view>{}(v) == std::hash<std::string_view>{}("key"));
    std::unordered_set<cbound::cstring_view> set{"a", "b"};
    REQUIRE(set.count("a") == 1);
    REQUIRE(set.count("c") == 0);
}

TEST_CASE("cstring_view writes to a stream like a string_view, width included") {
    std::ostringstream os;
    os << cbound::cstring_view("ab");
    os.width(4);
    os << cbound::cstring_view("c");
    REQUIRE(os.str() == "ab   c");
}

TEST_CASE("wcstring_view works for wide strings") {
    cbound::wcstring_view w = L"wide";
    REQUIRE(w.size() == 4);
    REQUIRE(w.c_str()[4] == L'\0');
}
