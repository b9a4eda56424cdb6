#include "catch.hpp"

#include <cbound/unique_resource.hpp>

#include <cstdio>

TEST_CASE("a file handle is as small as the raw pointer") {
    using file = cbound::unique_resource<std::FILE*, cbound::fn_deleter<&std::fclose>>;
    STATIC_REQUIRE(sizeof(file) == sizeof(std::FILE*));
    file f{std::fopen("/dev/null", "r")};
    REQUIRE(f);
}
