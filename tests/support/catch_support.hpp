// Test helpers that report through Catch2 (test_support.hpp stays free of it): running a
// command that must succeed, and the message of the error a call throws.
#pragma once

#include "catch.hpp"
#include "test_support.hpp"

#include <exception>
#include <string>
#include <utility>

namespace cbound_test {

/// Runs a shell command, requires it to exit with 0 (showing the command if not) and
/// returns what it wrote to stdout.
inline std::string must_run(std::string const& command) {
    command_result r = run(command);
    INFO(command);
    REQUIRE(r.exit_code == 0);
    return std::move(r.output);
}

/// The what() of the `Error` that `f()` throws, or "<no error>" when it returns; exceptions
/// of other types propagate, so a wrong kind of failure is not mistaken for the right one.
template <class Error = std::exception, class F>
std::string error_of(F&& f) {
    try {
        static_cast<F&&>(f)();
    } catch (Error const& e) {
        return e.what();
    }
    return "<no error>";
}

} // namespace cbound_test
