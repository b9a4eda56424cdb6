// Runs a piece of code in a child process, so a test can watch it abort (checked mode's
// stale-view stop) without dying itself.
#pragma once

#include "catch.hpp"

#include <csignal>
#include <cstdio>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace cbound_test {

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

} // namespace cbound_test
