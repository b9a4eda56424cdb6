// Attack case 26: an entry whose link fields disagree with its type. libarchive's disk
// writer decides by the link fields, so a check of type() alone let a "regular file" become
// a symlink to outside that was then chmod()ed through (as root, `link=/etc/shadow
// mode=0644` makes it world-readable). Extraction judges what an entry will create.
#include "attack_fixture.hpp"

using namespace attack;

TEST_CASE("case 26: link fields that disagree with the type are refused") {
    std::vector<std::string> variants{"--variant mtree", "--variant mtree_absolute", "--variant cpio"};
    if (cbound_test::have_tool("bsdtar")) variants.push_back("--variant iso");
    for_each_variant("case26_confused_fields", variants, both_policies,
                     [](workspace& ws, ca::extract_options const& o, fs::path const& archive, std::string const& args) {
                         // The sentinel's mode (0640) is what the attack changed: the snapshot sees it.
                         std::vector<std::string> refused{"lnk"};
                         // The data policy refuses the cpio FIFO itself first.
                         if (args.find("cpio") != std::string::npos && o.policy == ca::extract_policy::data &&
                             o.unsafe == ca::on_unsafe::stop)
                             refused.push_back("fifo");
                         require_refused(ws, archive, o, refused);
                         CHECK(!fs::exists(fs::symlink_status(ws.dest() / "lnk")));
                     });
}

TEST_CASE("case 26: the refusal says why") {
    workspace ws;
    auto const report = ws.extract(ws.make("case26_confused_fields", "c.mtree", "--variant mtree"),
                                   options(ca::extract_policy::data, ca::on_unsafe::skip));
    auto const rows = rows_named(report, "lnk");
    REQUIRE(rows.size() == 1);
    CHECK(rows.front().outcome == ca::entry_outcome::rejected);
    CHECK(rows.front().reason.find("disagree") != std::string::npos);
    // The consistent entry before it is extracted as usual.
    CHECK(rows_named(report, "ok").front().outcome == ca::entry_outcome::extracted);
}
