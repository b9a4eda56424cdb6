// What the error tests share: catching the cbound error a call throws, to look at all of it.
#pragma once

#include "catch.hpp"

#include <cbound/archive/error.hpp>

#include <functional>

namespace errors_test {

/// The error `f` throws (a test failure when it throws none), whole: code, message and path.
inline cbound::archive::error error_of(std::function<void()> const& f) {
    try {
        f();
    } catch (cbound::archive::error const& e) {
        return e;
    }
    FAIL("no cbound::archive::error was thrown");
    throw;
}

} // namespace errors_test
