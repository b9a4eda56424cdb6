// Attack cases 19-20: dangerous mode bits and special files.
#include "attack_fixture.hpp"

#include <sys/types.h>
#include <unistd.h>

using namespace attack;

namespace {

/// The permission bits of `p` (lstat).
unsigned permissions_of(fs::path const& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

/// Sets the process umask for one scope, so the test sees what the policy did, not the umask.
class umask_scope {
public:
    explicit umask_scope(mode_t mask) : old_(::umask(mask)) {}
    umask_scope(umask_scope const&) = delete;
    umask_scope& operator=(umask_scope const&) = delete;
    ~umask_scope() { ::umask(old_); }

private:
    mode_t old_;
};

} // namespace

TEST_CASE("case 19: setuid, setgid and group/other write bits are stripped by default") {
    umask_scope const no_mask(0);
    workspace ws;
    auto const report = ws.extract(ws.make("case19_modes", "s.tar"));
    CHECK(report.extracted == 3);
    CHECK(permissions_of(ws.dest() / "setuid") == 0755);
    CHECK(permissions_of(ws.dest() / "setgid") == 0755);
    CHECK(permissions_of(ws.dest() / "open") == 0644);
    ws.require_outside_untouched();
}

TEST_CASE("case 20: FIFO, character and block device entries are refused, also as root") {
    if (::geteuid() != 0) WARN("not root: the root half of this case runs in CI");
    for_each_variant("case20_devices", {"--variant fifo", "--variant char", "--variant block"}, default_policy,
                     [](workspace& ws, ca::extract_options const& o, fs::path const& archive, std::string const& args) {
                         std::string const name = args.substr(args.rfind(' ') + 1);
                         require_refused(ws, archive, o, {name});
                         CHECK(!fs::exists(fs::symlink_status(ws.dest() / name)));
                     });
    SECTION("all three in one archive, skipped one by one") {
        workspace ws;
        fs::path const archive = ws.make("case20_devices", "t.tar", "--variant all");
        require_refused(ws, archive, options(ca::extract_policy::data, ca::on_unsafe::skip), {"fifo", "char", "block"});
        CHECK(fs::is_empty(ws.dest()));
    }
}
