// Tests for cbound/posix.hpp: errors that name the path and errno, and mappings of real files.
#include "catch.hpp"
#include "test_support.hpp"

#include <cbound/posix.hpp>

#include <cerrno>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

namespace {

// The bytes of a span as a string, to compare a mapping with a file's content.
std::string as_string(std::span<std::byte const> bytes) {
    return {reinterpret_cast<char const*>(bytes.data()), bytes.size()};
}

// Runs `f`, which must throw std::system_error, and returns the error for inspection.
template <class F>
std::system_error thrown_by(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (std::system_error const& e) {
        return e;
    }
    FAIL("no std::system_error was thrown");
    return std::system_error(std::error_code());
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

} // namespace

TEST_CASE("open_fd reads a real file through an owned descriptor") {
    cbound_test::scratch_dir dir{"posix"};
    cbound_test::write_file(dir / "data", "abc");
    cbound::unique_fd fd = cbound::open_fd(dir / "data");
    REQUIRE(fd);
    char buf[8] = {};
    REQUIRE(::read(fd.get(), buf, sizeof buf) == 3);
    REQUIRE(std::string_view(buf, 3) == "abc");
    REQUIRE((::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC) != 0); // O_CLOEXEC is always added
}

TEST_CASE("open_fd on a missing file throws ENOENT naming the path") {
    cbound_test::scratch_dir dir{"posix"};
    auto const missing = dir / "no-such-file";
    auto e = thrown_by([&] { static_cast<void>(cbound::open_fd(missing)); });
    REQUIRE(e.code() == std::error_code(ENOENT, std::generic_category()));
    REQUIRE(contains(e.what(), missing.string()));
    REQUIRE(contains(e.what(), "open"));
}

TEST_CASE("open_fd for writing on a directory throws EISDIR naming the path") {
    cbound_test::scratch_dir dir{"posix"};
    auto e = thrown_by([&] { static_cast<void>(cbound::open_fd(dir.path(), O_WRONLY)); });
    REQUIRE(e.code().value() == EISDIR);
    REQUIRE(contains(e.what(), dir.path().string()));
}

TEST_CASE("open_file reads a real file through an owned stream") {
    cbound_test::scratch_dir dir{"posix"};
    cbound_test::write_file(dir / "data", "xyz");
    cbound::unique_file f = cbound::open_file(dir / "data");
    REQUIRE(f);
    REQUIRE(std::fgetc(f.get()) == 'x');
}

TEST_CASE("open_file errors carry errno and the path") {
    cbound_test::scratch_dir dir{"posix"};
    auto const missing = dir / "absent.txt";
    auto e = thrown_by([&] { static_cast<void>(cbound::open_file(missing)); });
    REQUIRE(e.code() == std::error_code(ENOENT, std::generic_category()));
    REQUIRE(contains(e.what(), missing.string()));
    REQUIRE(contains(e.what(), "fopen"));

    auto is_dir = thrown_by([&] { static_cast<void>(cbound::open_file(dir.path(), "w")); });
    REQUIRE(is_dir.code().value() == EISDIR);
    REQUIRE(contains(is_dir.what(), dir.path().string()));
}

TEST_CASE("a mapping shows exactly the file's bytes") {
    cbound_test::scratch_dir dir{"map"};
    std::string content = "hello, mapping";
    content.push_back('\0'); // embedded NUL and bytes past it are part of the file
    content += std::string(70000, 'z');
    cbound_test::write_file(dir / "big", content);
    auto m = cbound::mapped_file::open(dir / "big");
    REQUIRE(m.size() == content.size());
    REQUIRE_FALSE(m.empty());
    REQUIRE(as_string(m.bytes()) == content);
}

TEST_CASE("an empty file maps to an empty span") {
    cbound_test::scratch_dir dir{"map"};
    cbound_test::write_file(dir / "empty", "");
    auto m = cbound::mapped_file::open(dir / "empty");
    REQUIRE(m.empty());
    REQUIRE(m.size() == 0);
    REQUIRE(m.bytes().empty());
}

TEST_CASE("mapping a directory is an error naming the path") {
    cbound_test::scratch_dir dir{"map"};
    auto e = thrown_by([&] { static_cast<void>(cbound::mapped_file::open(dir.path())); });
    REQUIRE(e.code().value() == EINVAL);
    REQUIRE(contains(e.what(), dir.path().string()));
}

TEST_CASE("mapping a missing file throws ENOENT naming the path") {
    cbound_test::scratch_dir dir{"map"};
    auto const missing = dir / "gone";
    auto e = thrown_by([&] { static_cast<void>(cbound::mapped_file::open(missing)); });
    REQUIRE(e.code() == std::error_code(ENOENT, std::generic_category()));
    REQUIRE(contains(e.what(), missing.string()));
}

TEST_CASE("moving a mapping leaves the source empty and the bytes valid in the target") {
    STATIC_REQUIRE(std::is_nothrow_move_constructible_v<cbound::mapped_file>);
    STATIC_REQUIRE(std::is_nothrow_move_assignable_v<cbound::mapped_file>);
    STATIC_REQUIRE(!std::is_copy_constructible_v<cbound::mapped_file>);
    cbound_test::scratch_dir dir{"map"};
    cbound_test::write_file(dir / "a", "first");
    cbound_test::write_file(dir / "b", "second");
    auto a = cbound::mapped_file::open(dir / "a");
    auto const* data = a.bytes().data();

    cbound::mapped_file moved{std::move(a)};
    REQUIRE(a.empty()); // NOLINT(bugprone-use-after-move): the moved-from state is the subject
    REQUIRE(a.bytes().data() == nullptr);
    REQUIRE(moved.bytes().data() == data); // the same mapping, not a copy
    REQUIRE(as_string(moved.bytes()) == "first");

    auto b = cbound::mapped_file::open(dir / "b");
    b = std::move(moved); // unmaps "second", takes "first"
    REQUIRE(moved.empty());
    REQUIRE(as_string(b.bytes()) == "first");
}

TEST_CASE("unique_fd is unique_resource over close() with fd_traits") {
    // tests/codegen/core_pairs.cpp spells the type this way to build without posix.hpp.
    STATIC_REQUIRE(std::is_same_v<cbound::unique_fd,
                                  cbound::unique_resource<int, cbound::fn_deleter<&::close>, cbound::fd_traits>>);
}
