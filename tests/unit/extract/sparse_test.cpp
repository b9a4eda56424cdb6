// Sparse files come back with their size and their holes (a trailing one included), as
// with `bsdtar -xpf`.
#include "extract_fixture.hpp"

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

struct file_shape {
    std::int64_t size = 0;
    std::int64_t blocks = 0; ///< 512-byte blocks allocated
};

file_shape shape_of(fs::path const& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return {st.st_size, st.st_blocks};
}

} // namespace

TEST_CASE("sparse files keep their size and holes, as with bsdtar", "[extract][sparse]") {
    cbound_test::scratch_dir work("sparse");
    // 10 MiB with data at 1000 and at 5 MiB: a hole at the start, one between, one at the end.
    fs::create_directories(work / "src");
    python("f = open(" + sh_quote((work / "src/s").string()) +
           ", 'wb')\nf.truncate(10 << 20)\nf.seek(1000)\nf.write(b'a' * 5000)\n"
           "f.seek(5 << 20)\nf.write(b'b' * 5000)\nf.close()\n");
    for (std::string const format : {"gnu", "posix"}) {
        DYNAMIC_SECTION(format) {
            fs::path const archive = work / (format + ".tar");
            must_run("tar --sparse --format=" + format + " -cf " + sh_quote(archive.string()) + " -C " +
                     sh_quote((work / "src").string()) + " s");
            fs::path const theirs = work / (format + "-theirs");
            fs::create_directories(theirs);
            must_run("bsdtar -xpf " + sh_quote(archive.string()) + " -C " + sh_quote(theirs.string()));
            for (auto policy : {ca::extract_policy::data, ca::extract_policy::fully_trusted}) {
                fs::path const ours = work / (format + "-ours" + std::to_string(static_cast<int>(policy)));
                ca::extract_options o;
                o.policy = policy;
                (void)extract_file(archive, ours, o);
                auto const mine = shape_of(ours / "s"), reference = shape_of(theirs / "s");
                INFO("policy " << static_cast<int>(policy) << ": " << mine.blocks << " blocks, bsdtar "
                               << reference.blocks);
                CHECK(mine.size == 10 << 20);
                CHECK(mine.size == reference.size);
                CHECK(mine.blocks <= reference.blocks);
                CHECK(mine.blocks < 1024); // far less than the 20,480 blocks of a dense file
                CHECK(cbound_test::read_file(ours / "s") == cbound_test::read_file(work / "src/s"));
            }
        }
    }
}
