// The option enums a command line sets, to and from their names (policy_names.hpp).
#include <cbound/archive/policy_names.hpp>

#include "catch.hpp"

#include <optional>
#include <set>
#include <string_view>

namespace ca = cbound::archive;

namespace {

/// Every value reads back from its name, no two values share a name, and text that is not a
/// name (another spelling, another enum's name, nothing) reads as nullopt.
template <class Enum, std::size_t N, class FromString>
void round_trips(Enum const (&all)[N], FromString from_string, std::initializer_list<std::string_view> others) {
    std::set<std::string_view> names;
    for (Enum value : all) {
        std::string_view const name = ca::to_string(value);
        INFO(name);
        CHECK(name != "unknown");
        CHECK(from_string(name) == value);
        CHECK(names.insert(name).second);
    }
    for (std::string_view other : others) {
        INFO(other);
        CHECK(from_string(other) == std::nullopt);
    }
}

} // namespace

TEST_CASE("on_unsafe and on_failure names round-trip", "[names]") {
    ca::on_unsafe const unsafe[] = {ca::on_unsafe::stop, ca::on_unsafe::skip};
    round_trips(unsafe, ca::on_unsafe_from_string, {"", "Stop", "skip ", "refuse", "never"});
    CHECK(ca::to_string(ca::on_unsafe::skip) == "skip");
    ca::on_failure const failure[] = {ca::on_failure::stop, ca::on_failure::skip};
    round_trips(failure, ca::on_failure_from_string, {"", "SKIP", "continue", "data"});
    CHECK(ca::to_string(ca::on_failure::stop) == "stop");
}

TEST_CASE("overwrite names round-trip", "[names]") {
    ca::overwrite const all[] = {ca::overwrite::replace_files, ca::overwrite::never, ca::overwrite::always_replace};
    round_trips(all, ca::overwrite_from_string, {"", "replace", "always", "Never", "skip"});
    CHECK(ca::to_string(ca::overwrite::always_replace) == "always_replace");
    // The default of extract_options has a name a command line can print as its default.
    CHECK(ca::to_string(ca::extract_options{}.existing) == "replace_files");
}

TEST_CASE("entry outcome names round-trip", "[names]") {
    ca::entry_outcome const all[] = {ca::entry_outcome::extracted, ca::entry_outcome::skipped,
                                     ca::entry_outcome::rejected, ca::entry_outcome::failed};
    round_trips(all, ca::entry_outcome_from_string, {"", "extract", "ok", "FAILED"});
}

TEST_CASE("zip method names round-trip, as libarchive's zip option spells them", "[names]") {
    ca::zip_compression const all[] = {ca::zip_compression::store, ca::zip_compression::deflate,
                                       ca::zip_compression::bzip2, ca::zip_compression::lzma,
                                       ca::zip_compression::xz,    ca::zip_compression::zstd};
    round_trips(all, ca::zip_compression_from_string, {"", "stored", "gzip", "Deflate", "none"});
}

TEST_CASE("the policy names keep their spelling", "[names]") {
    ca::extract_policy const all[] = {ca::extract_policy::data, ca::extract_policy::tar,
                                      ca::extract_policy::fully_trusted};
    round_trips(all, ca::extract_policy_from_string, {"", "lax", "Data", "fully-trusted"});
    // The names are usable at compile time, as format_from_string is.
    static_assert(ca::overwrite_from_string("never") == ca::overwrite::never);
    static_assert(ca::to_string(ca::on_unsafe::stop) == "stop");
    static_assert(ca::zip_compression_from_string("xz") == ca::zip_compression::xz);
}

TEST_CASE("a value outside its enum is named unknown", "[names]") {
    CHECK(ca::to_string(static_cast<ca::extract_policy>(42)) == "unknown");
    CHECK(ca::to_string(static_cast<ca::overwrite>(-1)) == "unknown");
    CHECK(ca::to_string(static_cast<ca::entry_outcome>(4)) == "unknown");
    CHECK(ca::overwrite_from_string("unknown") == std::nullopt);
}
