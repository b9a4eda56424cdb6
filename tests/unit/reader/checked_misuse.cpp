// Built with CBOUND_CHECKED=1: each mode commits one misuse of a borrowed view, which must
// stop the program with a message naming it ("ok" uses views correctly and must exit 0).
#include "test_support.hpp"

#include <cbound/archive/reader.hpp>

#include <cstdio>
#include <string_view>

namespace ca = cbound::archive;

static_assert(cbound::checked_mode, "this program checks checked mode");

int main(int argc, char** argv) {
    std::string_view const mode = argc > 1 ? argv[1] : "ok";
    cbound_test::scratch_dir dir("checked");
    cbound_test::write_file(dir / "a", std::string(200000, 'a'));
    cbound_test::write_file(dir / "b", "b");
    auto tar = dir / "x.tar.gz";
    if (cbound_test::run("cd " + cbound_test::sh_quote(dir.path().string()) + " && bsdtar -zcf x.tar.gz a b")
            .exit_code != 0)
        return 2;
    auto r = ca::reader::open(tar);
    auto first = r.next();
    if (!first) return 2;
    if (mode == "ok") {
        std::size_t total = 0;
        for (ca::block b : first->blocks())
            total += b.data.size();
        auto second = r.next();
        std::printf("ok %zu %s\n", total, second ? std::string(second->pathname()).c_str() : "?");
        return total == 200000 && second && second->pathname() == "b" ? 0 : 1;
    }
    if (mode == "entry") {
        ca::entry_view stale = *first;
        (void)r.next();
        std::printf("%zu\n", stale.pathname().size()); // the reader advanced: must stop here
        return 0;
    }
    if (mode == "block") {
        auto blocks = first->blocks();
        auto it = blocks.begin();
        auto kept = it;                            // a copy still pointing at the first block
        ++it;                                      // gzip: the first block's buffer is reused for the next
        std::printf("%zu\n", (*kept).data.size()); // must stop here
        return 0;
    }
    return 2;
}
