// cbound — the part of <chrono> the headers use: durations, time points, system_clock and
// steady_clock (internal).
//
// In C++20 mode libstdc++'s <chrono> adds the calendar, time zones and <sstream> (for printing
// durations) to those, which costs every includer about 155 million compiler instructions, 8 %
// of <filesystem> (tests/bench/compile_time.sh). libstdc++ 11 and later keep the part cbound
// uses in <bits/chrono.h>, which its <filesystem> includes anyway, so with libstdc++ the headers
// take that; with any other standard library, or with CBOUND_STANDARD_CHRONO defined, they take
// <chrono>. Code that uses more of <chrono> than cbound's types (calendar dates, printing a
// duration) includes <chrono> itself, as it would have to for any header.
#pragma once

#include <version> // the standard library's own macros: __GLIBCXX__ tells libstdc++

#if defined(__GLIBCXX__) && !defined(CBOUND_STANDARD_CHRONO) && __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
#else
#include <chrono>
#endif
