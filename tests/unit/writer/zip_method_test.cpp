// Zip entries compressed with each method libarchive offers: store and deflate everywhere,
// bzip2, lzma, xz and zstd from libarchive 3.8.0 on (features.hpp); asking an older release for
// those is a clear error when the writer opens.
#include "writer_fixture.hpp"

#include "test_support.hpp"

#include <map>

using namespace writer_test;

namespace {

/// The zip method number that each choice must leave in the central directory (APPNOTE 4.4.5).
std::map<ar::zip_compression, int> const method_numbers = {
    {ar::zip_compression::store, 0}, {ar::zip_compression::deflate, 8}, {ar::zip_compression::bzip2, 12},
    {ar::zip_compression::lzma, 14}, {ar::zip_compression::xz, 95},     {ar::zip_compression::zstd, 93},
};

/// "name method compressed-size size" for each member, as python3's zipfile reads the central directory.
std::string python_listing(std::vector<std::byte> const& zip, cbound_test::scratch_dir const& dir) {
    auto const path = dir / "x.zip";
    cbound_test::write_file(path, text_of(zip));
    auto r = cbound_test::run("python3 -c 'import sys, zipfile\n"
                              "for i in zipfile.ZipFile(sys.argv[1]).infolist():\n"
                              "    print(i.filename, i.compress_type, i.compress_size, i.file_size)' " +
                              cbound_test::sh_quote(path.string()));
    REQUIRE(r.exit_code == 0);
    return r.output;
}

} // namespace

TEST_CASE("zip_method compresses every zip entry with the method asked for, where libarchive offers it") {
    cbound_test::scratch_dir dir("zip-method");
    std::string const text = std::string(100000, 'a') + noise(1000); // compresses well
    for (auto const& [method, number] : method_numbers) {
        INFO("method " << ar::to_string(method) << ", libarchive " << ARCHIVE_VERSION_ONLY_STRING);
        ar::write_options options;
        options.zip_method = method;
        auto fill = [&](ar::writer& w) {
            w.add({.pathname = "a.txt"}, bytes_of(text));
            w.add({.pathname = "b.txt"}, bytes_of("short"));
        };
        if (!ar::offers(method)) {
            std::string const what =
                error_of([&] { (void)ar::writer::to_memory(ar::format::zip, ar::filter::none, fill, options); });
            CHECK(what.find("cannot compress zip entries with " + std::string(ar::to_string(method))) !=
                  std::string::npos);
            CHECK(what.find("3.8.0") != std::string::npos);
            continue;
        }
        std::vector<std::byte> const zip = ar::writer::to_memory(ar::format::zip, ar::filter::none, fill, options);
        CHECK(read_back(zip) == listing{{"a.txt", text}, {"b.txt", "short"}});
        std::string const listed = python_listing(zip, dir);
        std::string const m = std::to_string(number);
        // a.txt is compressed (store keeps its size), b.txt too small to matter.
        std::string const a_size = method == ar::zip_compression::store ? std::to_string(text.size()) : "";
        CHECK(listed.starts_with("a.txt " + m + " " + a_size));
        CHECK(listed.find("\nb.txt " + m + " ") != std::string::npos);
        if (method != ar::zip_compression::store) {
            std::size_t const compressed = std::stoul(listed.substr(("a.txt " + m + " ").size()));
            CHECK(compressed < text.size() / 10);
        }
    }
}

TEST_CASE("zip_method on an archive that is not a zip is refused") {
    ar::write_options options;
    options.zip_method = ar::zip_compression::deflate;
    std::string const what = error_of([&] {
        (void)ar::writer::to_memory(
            ar::format::pax, ar::filter::none, [](ar::writer&) {}, options);
    });
    CHECK(what.find("zip_method applies to zip archives only") != std::string::npos);
}
