// Tests for cbound/detail/generation.hpp. This file is built twice: with CBOUND_CHECKED=0
// (stamps are empty and never stop the program) and with CBOUND_CHECKED=1 (a stale stamp
// aborts with a message); each test asserts what its own mode promises.
#include "catch.hpp"

#include <cbound/detail/generation.hpp>

#include <csignal>
#include <cstdio>
#include <string>
#include <type_traits>

#include <sys/wait.h>
#include <unistd.h>

namespace {

/// What happened to a child process that ran one check.
struct check_outcome {
    bool aborted = false;
    std::string message; ///< what the child wrote to stderr
};

// Runs `body` in a child process with stderr captured: in checked mode a stale stamp
// aborts, and the test must observe that without dying itself.
template <class F>
check_outcome run_in_child(F body) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    std::fflush(nullptr);
    pid_t const child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::dup2(pipe_fds[1], STDERR_FILENO);
        ::close(pipe_fds[0]);
        body();
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    check_outcome outcome;
    char buf[256];
    ssize_t n = 0;
    while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0)
        outcome.message.append(buf, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    outcome.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    if (!outcome.aborted) REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    return outcome;
}

} // namespace

TEST_CASE("checked_mode reflects CBOUND_CHECKED") { STATIC_REQUIRE(cbound::checked_mode == (CBOUND_CHECKED != 0)); }

TEST_CASE("a fresh stamp passes its check") {
    cbound::detail::generation g;
    cbound::detail::generation_stamp stamp{g};
    auto outcome = run_in_child([&] { stamp.check("fresh"); });
    REQUIRE_FALSE(outcome.aborted);
    REQUIRE(outcome.message.empty());
}

TEST_CASE("a stamp taken before the owner advanced is caught only in checked mode") {
    cbound::detail::generation g;
    cbound::detail::generation_stamp stamp{g};
    g.advance();
    auto outcome = run_in_child([&] { stamp.check("entry_view after next()"); });
    if constexpr (cbound::checked_mode) {
        REQUIRE(outcome.aborted);
        REQUIRE(outcome.message == "cbound: stale view: entry_view after next()\n");
    } else {
        REQUIRE_FALSE(outcome.aborted);
        REQUIRE(outcome.message.empty());
    }
}

TEST_CASE("a default stamp belongs to no owner: checked mode rejects it") {
    cbound::detail::generation_stamp orphan;
    auto outcome = run_in_child([&] { orphan.check("orphan"); });
    REQUIRE(outcome.aborted == cbound::checked_mode);
}

// Preprocessor, not if constexpr: a static_assert outside a template fires in both branches.
TEST_CASE("stamps are empty with checked mode off and carry owner and counter with it on") {
#if CBOUND_CHECKED
    STATIC_REQUIRE(sizeof(cbound::detail::generation_stamp) > sizeof(void*)); // pointer + counter
#else
    STATIC_REQUIRE(std::is_empty_v<cbound::detail::generation>);
    STATIC_REQUIRE(std::is_empty_v<cbound::detail::generation_stamp>);
    STATIC_REQUIRE(std::is_trivially_copyable_v<cbound::detail::generation_stamp>);
#endif
}

TEST_CASE("stale_view stops the program with the message") {
    auto outcome = run_in_child([] { cbound::detail::stale_view("span of a closed tarball"); });
    REQUIRE(outcome.aborted);
    REQUIRE(outcome.message == "cbound: stale view: span of a closed tarball\n");
}
