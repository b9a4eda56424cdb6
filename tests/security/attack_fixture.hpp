// The harness of the extraction attack tests: a work folder with a sentinel outside the
// destination, archives built at test time by make_attack.py, and a snapshot of
// everything outside the destination to prove that an extraction left it alone.
#pragma once

#include "catch_support.hpp"

#include <cbound/archive/error.hpp>
#include <cbound/archive/extract.hpp>
#include <cbound/archive/reader.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <utility>
#include <vector>

namespace attack {

namespace fs = std::filesystem;
namespace ca = cbound::archive;

/// What the snapshot records of one path: enough to see any write, chmod, touch or relink.
struct node_state {
    mode_t mode = 0;           ///< type and permission bits (lstat)
    std::int64_t mtime_ns = 0; ///< modification time in nanoseconds
    std::int64_t size = 0;     ///< size in bytes
    std::string content;       ///< a regular file's bytes (the files outside are tiny)
    std::string link_target;   ///< a symlink's target
    bool operator==(node_state const&) const = default;
};

/// Every path under `work` except `dest` and what lies below it, by relative name.
using snapshot = std::map<std::string, node_state>;

inline node_state state_of(fs::path const& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) throw std::runtime_error("lstat failed: " + p.string());
    node_state n;
    n.mode = st.st_mode;
    n.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    n.size = st.st_size;
    if (S_ISLNK(st.st_mode)) n.link_target = fs::read_symlink(p).string();
    if (S_ISREG(st.st_mode)) n.content = cbound_test::read_file(p);
    return n;
}

/// Takes the snapshot of `work` without `dest` (symlinks are recorded, never followed).
inline snapshot take_snapshot(fs::path const& work, fs::path const& dest) {
    snapshot s;
    s["."] = state_of(work);
    for (auto it = fs::recursive_directory_iterator(work); it != fs::recursive_directory_iterator(); ++it) {
        if (it->path() == dest) {
            it.disable_recursion_pending();
            continue;
        }
        s[fs::relative(it->path(), work).string()] = state_of(it->path());
    }
    return s;
}

/// A readable list of what differs between two snapshots; empty when they are equal.
inline std::string differences(snapshot const& before, snapshot const& after) {
    std::ostringstream out;
    for (auto const& [name, state] : before) {
        auto it = after.find(name);
        if (it == after.end())
            out << "removed: " << name << "\n";
        else if (!(it->second == state))
            out << "changed: " << name << " (mode " << std::oct << state.mode << " -> " << it->second.mode << std::dec
                << ", mtime " << state.mtime_ns << " -> " << it->second.mtime_ns << ", size " << state.size << " -> "
                << it->second.size << ")\n";
    }
    for (auto const& [name, state] : after) {
        if (before.count(name) == 0) out << "appeared: " << name << "\n";
    }
    return out.str();
}

/// The content the sentinel is created with; any other content means an attack succeeded.
inline constexpr char const* sentinel_content = "sentinel: must never change\n";

/// A scratch folder holding work/dest, work/outside/sentinel and the built archives.
class workspace {
public:
    /// Creates the folders and the sentinel (mode 0640, mtime 2009), then snapshots `work`.
    explicit workspace(std::string const& tag = "sec")
        : scratch_(tag), work_(scratch_ / "work"), dest_(work_ / "dest"), outside_(work_ / "outside"),
          archives_(scratch_ / "archives") {
        fs::create_directories(dest_);
        fs::create_directories(outside_);
        fs::create_directories(archives_);
        cbound_test::write_file(sentinel(), sentinel_content);
        fs::permissions(sentinel(), fs::perms(0640));
        fs::permissions(outside_, fs::perms(0750));
        set_mtime(sentinel(), 1'234'567'890);
        set_mtime(outside_, 1'234'567'000);
        baseline_ = take_snapshot(work_, dest_);
    }

    /// The extraction destination, work/dest.
    [[nodiscard]] fs::path const& dest() const noexcept { return dest_; }
    /// work/outside, next to dest: nothing may change in it.
    [[nodiscard]] fs::path const& outside() const noexcept { return outside_; }
    /// work/outside/sentinel.
    [[nodiscard]] fs::path sentinel() const { return outside_ / "sentinel"; }

    /// Builds `file` (in a folder outside work) with `make_attack.py <case> ... <args>`.
    fs::path make(std::string const& case_name, std::string const& file, std::string const& args = {}) const {
        fs::path const out = archives_ / file;
        std::string const command = cbound_test::sh_quote(CBOUND_PYTHON) + " " +
                                    cbound_test::sh_quote(CBOUND_MAKE_ATTACK) + " " + case_name + " " +
                                    cbound_test::sh_quote(out.string()) + " --outside " +
                                    cbound_test::sh_quote(outside_.string()) + " " + args;
        cbound_test::must_run(command);
        REQUIRE(fs::exists(out));
        return out;
    }

    /// Extracts the archive file `archive` into dest.
    ca::extract_report extract(fs::path const& archive, ca::extract_options const& options = {}) const {
        auto r = ca::reader::open(archive);
        return ca::extract(r, dest_, options);
    }

    /// The sentinel kept its content, mode and mtime, and nothing outside dest changed.
    void require_outside_untouched() const {
        REQUIRE(cbound_test::read_file(sentinel()) == sentinel_content);
        struct stat st {};
        REQUIRE(::lstat(sentinel().c_str(), &st) == 0);
        CHECK(S_ISREG(st.st_mode));
        CHECK((st.st_mode & 07777) == 0640);
        CHECK(st.st_mtim.tv_sec == 1'234'567'890);
        std::string const diff = differences(baseline_, take_snapshot(work_, dest_));
        INFO("outside dest:\n" << diff);
        REQUIRE(diff.empty());
    }

private:
    static void set_mtime(fs::path const& p, std::time_t seconds) {
        struct timespec const times[2] = {{seconds, 0}, {seconds, 0}};
        REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
    }

    cbound_test::scratch_dir scratch_;
    fs::path work_, dest_, outside_, archives_;
    snapshot baseline_;
};

/// Runs `f`; returns the cbound::archive::error it threw, nullopt if it returned. Any
/// other exception escapes, and Catch reports it as a failure.
template <class F>
std::optional<ca::error> error_from(F&& f) {
    try {
        static_cast<F&&>(f)();
    } catch (ca::error const& e) {
        return e;
    }
    return std::nullopt;
}

/// The report rows of entries named `name`, in archive order.
inline std::vector<ca::entry_result> rows_named(ca::extract_report const& report, std::string const& name) {
    std::vector<ca::entry_result> rows;
    for (auto const& row : report.entries) {
        if (row.pathname == name) rows.push_back(row);
    }
    return rows;
}

/// The name of a policy, for section names.
inline char const* name_of(ca::extract_policy p) {
    switch (p) {
    case ca::extract_policy::data: return "data";
    case ca::extract_policy::tar: return "tar";
    case ca::extract_policy::fully_trusted: return "fully_trusted";
    }
    return "?";
}

/// The name of an on_unsafe mode, for section names.
inline char const* name_of(ca::on_unsafe u) { return u == ca::on_unsafe::stop ? "stop" : "skip"; }

/// Extraction options with `policy` and `unsafe`, everything else default.
inline ca::extract_options options(ca::extract_policy policy = ca::extract_policy::data,
                                   ca::on_unsafe unsafe = ca::on_unsafe::stop) {
    ca::extract_options o;
    o.policy = policy;
    o.unsafe = unsafe;
    return o;
}

/// Extracts `archive` with `o` and requires each name in `refused` to be refused:
/// with stop, the thrown error is unsafe_entry and names one of them; with skip, each
/// appears as rejected with a reason. Then nothing outside dest may have changed.
inline void require_refused(workspace const& ws, fs::path const& archive, ca::extract_options const& o,
                            std::vector<std::string> const& refused) {
    if (o.unsafe == ca::on_unsafe::stop) {
        auto const e = error_from([&] { ws.extract(archive, o); });
        REQUIRE(e.has_value());
        INFO(e->what());
        CHECK(e->code() == ca::errc::unsafe_entry);
        CHECK(std::find(refused.begin(), refused.end(), e->pathname()) != refused.end());
    } else {
        auto const report = ws.extract(archive, o);
        for (auto const& name : refused) {
            auto const rows = rows_named(report, name);
            INFO("entry " << name);
            REQUIRE(!rows.empty());
            CHECK(rows.front().outcome == ca::entry_outcome::rejected);
            CHECK(!rows.front().reason.empty());
        }
        CHECK(report.rejected >= refused.size());
    }
    ws.require_outside_untouched();
}

/// Runs `body(ws, options)` in one section per policy in `policies` and per on_unsafe mode,
/// each with a fresh workspace. Catch tells sections apart by name, so a caller looping
/// over variants passes the variant as `label`.
template <class Body>
void for_each_mode(std::vector<ca::extract_policy> const& policies, Body body, std::string const& label = {}) {
    for (auto const policy : policies) {
        for (auto const unsafe : {ca::on_unsafe::stop, ca::on_unsafe::skip}) {
            DYNAMIC_SECTION(label << (label.empty() ? "" : ": ") << name_of(policy) << " policy, " << name_of(unsafe)) {
                workspace ws;
                body(ws, options(policy, unsafe));
            }
        }
    }
}

/// Runs `body(ws, options, archive, args)` for each make_attack.py argument string in
/// `variants` (such as "--kind zip --variant absolute"): the archive of `case_name` is built
/// with those arguments in the fresh workspace of every for_each_mode section.
template <class Body>
void for_each_variant(std::string const& case_name, std::vector<std::string> const& variants,
                      std::vector<ca::extract_policy> const& policies, Body body) {
    for (std::string const& args : variants) {
        for_each_mode(
            policies,
            [&](workspace& ws, ca::extract_options const& o) {
                body(ws, o, ws.make(case_name, "variant.archive", args), args);
            },
            args);
    }
}

/// The data policy (the default) and the tar policy: both must keep everything inside dest.
inline std::vector<ca::extract_policy> const both_policies{ca::extract_policy::data, ca::extract_policy::tar};
/// The default policy alone.
inline std::vector<ca::extract_policy> const default_policy{ca::extract_policy::data};

} // namespace attack
