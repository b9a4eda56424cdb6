// Attack cases 9-18: symlinks and hardlinks that lead a later write outside the destination.
// Cases 9-12 and 18 are permanent regression tests: famous extractors were bypassed there.
#include "attack_fixture.hpp"

using namespace attack;

namespace {

/// Whether `p` is a symlink (not followed).
bool is_link(fs::path const& p) { return fs::is_symlink(fs::symlink_status(p)); }

/// If `p` is a symlink, where it resolves must be inside `dest`.
void require_no_escaping_link(fs::path const& dest, fs::path const& p) {
    if (!is_link(p)) return;
    fs::path const resolved = fs::weakly_canonical(p);
    fs::path const root = fs::canonical(dest);
    INFO(p << " resolves to " << resolved);
    CHECK(resolved.string().rfind(root.string(), 0) == 0);
}

/// The tar and zip forms of cases 9 and 10, each with a relative and an absolute target.
std::vector<std::string> const kinds_and_targets{"--kind tar --variant relative", "--kind tar --variant absolute",
                                                 "--kind zip --variant relative", "--kind zip --variant absolute"};

} // namespace

TEST_CASE("regression case 9: write through a symlink to ../outside is refused") {
    for_each_variant("case09_link_then_write", kinds_and_targets, both_policies,
                     [](workspace& ws, ca::extract_options const& o, fs::path const& archive, std::string const&) {
                         require_refused(ws, archive, o, {"lnk"});
                         CHECK(!fs::exists(ws.outside() / "pwned"));
                         require_no_escaping_link(ws.dest(), ws.dest() / "lnk");
                     });
}

TEST_CASE("regression case 10: a symlink pointing outside is refused on its own") {
    for_each_variant("case10_link_alone", kinds_and_targets, both_policies,
                     [](workspace& ws, ca::extract_options const& o, fs::path const& archive, std::string const&) {
                         require_refused(ws, archive, o, {"esc"});
                         CHECK(!is_link(ws.dest() / "esc"));
                     });
}

TEST_CASE("regression case 11: a chain of symlinks that ends outside is refused") {
    for_each_mode(both_policies, [](workspace& ws, ca::extract_options const& o) {
        // a -> b is harmless alone; b -> ../outside is the escape; a/pwned would go through both.
        require_refused(ws, ws.make("case11_chain", "k.tar", "--variant chain"), o, {"b"});
        CHECK(!fs::exists(ws.outside() / "pwned"));
        require_no_escaping_link(ws.dest(), ws.dest() / "a");
        require_no_escaping_link(ws.dest(), ws.dest() / "b");
    });
}

TEST_CASE("regression case 11: x -> . then y -> x/.. (lexically '.', really dest/..) is refused") {
    for_each_mode(both_policies, [](workspace& ws, ca::extract_options const& o) {
        // Whether "x -> ." is refused is the policy's choice; "y" must be, unless "x" already was.
        std::vector<std::string> refused{"y"};
        if (o.unsafe == ca::on_unsafe::stop) refused.push_back("x");
        require_refused(ws, ws.make("case11_chain", "k.tar", "--variant dotdot_through_link"), o, refused);
        require_no_escaping_link(ws.dest(), ws.dest() / "y");
    });
}

TEST_CASE("regression case 12: a second archive cannot write through the first one's link") {
    workspace ws;
    fs::path const first = ws.make("case12_two_archives", "A.tar", "--variant link");
    fs::path const second = ws.make("case12_two_archives", "B.tar", "--variant write");
    SECTION("default policy refuses the link, then the write lands inside dest") {
        require_refused(ws, first, options(), {"x"});
        auto const report = ws.extract(second);
        CHECK(report.extracted == 1);
        CHECK(!is_link(ws.dest() / "x"));
        CHECK(cbound_test::read_file(ws.dest() / "x" / "pwned") == "pwned\n");
    }
    SECTION("link planted by a trusted run, then the default policy refuses the write") {
        auto const e = error_from([&] { ws.extract(first, options(ca::extract_policy::fully_trusted)); });
        if (e || !is_link(ws.dest() / "x")) fs::create_directory_symlink("../outside", ws.dest() / "x");
        for (auto const unsafe : {ca::on_unsafe::stop, ca::on_unsafe::skip}) {
            INFO(name_of(unsafe));
            auto const o = options(ca::extract_policy::data, unsafe);
            if (unsafe == ca::on_unsafe::stop) {
                auto const refused = error_from([&] { ws.extract(second, o); });
                REQUIRE(refused.has_value());
                CHECK(refused->pathname() == "x/pwned");
            } else {
                auto const report = ws.extract(second, o);
                auto const rows = rows_named(report, "x/pwned");
                REQUIRE(rows.size() == 1);
                CHECK(rows.front().outcome != ca::entry_outcome::extracted);
            }
        }
    }
    ws.require_outside_untouched();
}

TEST_CASE("case 13: a hardlink to a file outside is refused") {
    for_each_variant("case13_hardlink", {"--variant relative", "--variant absolute"}, both_policies,
                     [](workspace& ws, ca::extract_options const& o, fs::path const& archive, std::string const& args) {
                         if (o.policy == ca::extract_policy::tar && args == "--variant absolute") {
                             // The tar policy makes absolute names relative, so the target is looked up
                             // inside dest, where it does not exist: the entry fails instead of linking out.
                             std::optional<ca::extract_report> report;
                             auto const e = error_from([&] { report = ws.extract(archive, o); });
                             if (!e) CHECK(rows_named(*report, "hl").front().outcome != ca::entry_outcome::extracted);
                             ws.require_outside_untouched();
                         } else {
                             require_refused(ws, archive, o, {"hl"});
                         }
                         CHECK(!fs::exists(ws.dest() / "hl"));
                         CHECK(fs::hard_link_count(ws.sentinel()) == 1);
                     });
}

TEST_CASE("case 14: a pax hardlink carrying a body cannot overwrite the file outside") {
    for_each_mode(both_policies, [](workspace& ws, ca::extract_options const& o) {
        require_refused(ws, ws.make("case14_hardlink_body", "n.tar"), o, {"hl"});
        CHECK(fs::hard_link_count(ws.sentinel()) == 1);
    });
}

TEST_CASE("case 15: symlink, hardlink through it, then a regular file over the hardlink") {
    for_each_mode(both_policies, [](workspace& ws, ca::extract_options const& o) {
        // With skip, "d" is refused first; "hl" -> d/sentinel must then fail or be refused too.
        if (o.unsafe == ca::on_unsafe::stop) {
            require_refused(ws, ws.make("case15_link_then_hardlink", "o.tar"), o, {"d"});
        } else {
            auto skip_all = o;
            skip_all.failure = ca::on_failure::skip; // "hl" may fail (its target is missing) rather than be refused
            auto const report = ws.extract(ws.make("case15_link_then_hardlink", "o.tar"), skip_all);
            auto const links = rows_named(report, "hl");
            REQUIRE(links.size() == 2);
            CHECK(rows_named(report, "d").front().outcome == ca::entry_outcome::rejected);
            CHECK(links.front().outcome != ca::entry_outcome::extracted);
            ws.require_outside_untouched();
        }
        CHECK(fs::hard_link_count(ws.sentinel()) == 1);
    });
}

TEST_CASE("case 16: a folder entry over a symlink cannot chmod or touch the folder outside") {
    for_each_variant("case16_dir_mode", {"--variant link_first", "--variant dir_first"}, both_policies,
                     [](workspace& ws, ca::extract_options const& o, fs::path const& archive, std::string const&) {
                         // Only the link is unsafe; libarchive fixes folder modes and times at the end,
                         // through whatever the name is by then, so the outside folder is the target.
                         require_refused(ws, archive, o, {"foo"});
                         require_no_escaping_link(ws.dest(), ws.dest() / "foo");
                     });
}

TEST_CASE("case 17: file, symlink to outside, file under one name writes nothing outside") {
    for_each_variant("case17_same_name", {"--kind tar", "--kind zip"}, both_policies,
                     [](workspace& ws, ca::extract_options const& o, fs::path const& archive, std::string const&) {
                         if (o.unsafe == ca::on_unsafe::stop) {
                             require_refused(ws, archive, o, {"x"});
                             // Stopped at the link: the first file stays, nothing was replaced.
                             CHECK(cbound_test::read_file(ws.dest() / "x") == "one\n");
                             return;
                         }
                         auto const report = ws.extract(archive, o);
                         auto const rows = rows_named(report, "x");
                         REQUIRE(rows.size() == 3);
                         CHECK(rows[0].outcome == ca::entry_outcome::extracted);
                         CHECK(rows[1].outcome == ca::entry_outcome::rejected);
                         ws.require_outside_untouched();
                         // The documented final state: the last regular file, never a link.
                         CHECK(!is_link(ws.dest() / "x"));
                         CHECK(cbound_test::read_file(ws.dest() / "x") ==
                               (rows[2].outcome == ca::entry_outcome::extracted ? "three\n" : "one\n"));
                     });
}

TEST_CASE("regression case 18: a symlink already in dest is not followed") {
    for_each_mode(both_policies, [](workspace& ws, ca::extract_options const& o) {
        // Planted before extraction: a folder link and a file link, both pointing outside.
        fs::create_directory_symlink("../outside", ws.dest() / "x");
        fs::create_symlink(ws.sentinel(), ws.dest() / "f");
        SECTION("x/pwned through a folder link") {
            fs::path const archive = ws.make("case18_existing_link", "r.tar", "--variant dir");
            if (o.unsafe == ca::on_unsafe::stop) {
                auto const e = error_from([&] { ws.extract(archive, o); });
                REQUIRE(e.has_value());
                INFO(e->what());
                CHECK(e->code() == ca::errc::unsafe_entry);
                CHECK(e->pathname() == "x/pwned");
            } else {
                auto const rows = rows_named(ws.extract(archive, o), "x/pwned");
                REQUIRE(rows.size() == 1);
                CHECK(rows.front().outcome == ca::entry_outcome::rejected);
            }
            CHECK(!fs::exists(ws.outside() / "pwned"));
        }
        SECTION("regular file f over a file link") {
            fs::path const archive = ws.make("case18_existing_link", "r.tar", "--variant file");
            // Either refused, or the link itself is replaced: never written through.
            auto const e = error_from([&] { ws.extract(archive, o); });
            if (!e && !is_link(ws.dest() / "f")) CHECK(cbound_test::read_file(ws.dest() / "f") == "pwned\n");
        }
        ws.require_outside_untouched();
    });
}
