// Attack case 27: a symlink that is harmless as text but resolves through a link already
// on disk. Its target is resolved against the real tree inside the destination, links
// included, and must stay inside.
#include "attack_fixture.hpp"

using namespace attack;

TEST_CASE("case 27: a symlink through an existing link to outside is refused") {
    for_each_variant("case27_through_existing_link", {"--variant file", "--variant folder"}, both_policies,
                     [](workspace& ws, ca::extract_options const& o, fs::path const& archive, std::string const&) {
                         fs::create_directory_symlink("../outside", ws.dest() / "pre");
                         require_refused(ws, archive, o, {"l"});
                         CHECK(!fs::exists(fs::symlink_status(ws.dest() / "l")));
                     });
}

TEST_CASE("case 27: an existing absolute link to outside is refused, one inside is followed") {
    for (auto const policy : both_policies) {
        DYNAMIC_SECTION(name_of(policy)) {
            workspace ws;
            fs::path const archive = ws.make("case27_through_existing_link", "l.tar", "--variant file");
            fs::create_directory_symlink(ws.outside(), ws.dest() / "pre");
            require_refused(ws, archive, options(policy, ca::on_unsafe::skip), {"l"});
            // Now pre leads to a folder inside: l -> pre/sentinel stays inside and is created.
            fs::remove(ws.dest() / "pre");
            fs::create_directories(ws.dest() / "in");
            fs::create_directory_symlink("in", ws.dest() / "pre");
            auto const report = ws.extract(archive, options(policy));
            CHECK(report.extracted == 1);
            CHECK(fs::read_symlink(ws.dest() / "l") == "pre/sentinel");
            ws.require_outside_untouched();
        }
    }
}

TEST_CASE("case 27: a loop of existing links is refused, not followed forever") {
    workspace ws;
    fs::create_symlink("b", ws.dest() / "pre");
    fs::create_symlink("pre", ws.dest() / "b");
    require_refused(ws, ws.make("case27_through_existing_link", "l.tar", "--variant file"),
                    options(ca::extract_policy::data, ca::on_unsafe::skip), {"l"});
}
