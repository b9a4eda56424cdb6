// Codegen pairs for the sqlite binding of examples/sqlite: its step()/column loop compiles to
// the loop a careful C programmer writes on sqlite3 directly (checked mode off, exceptions on).
#include "sqlite.hpp"

#include <cstring>
#include <utility>

extern "C" {

// Sums an integer column and the lengths of a text column over all rows, then finalizes.
// One step: true on a row, false when done, and a throw on anything else.
static bool raw_step(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) [[unlikely]]
        cbound::detail::throw_failed_call("sqlite3_step", rc, &sqlite::category);
    return rc == SQLITE_ROW;
}
// noexcept gives the raw loop an unwinding edge on its throw path, as the wrapped loop has
// one (the statement's destructor): without it clang rotates the raw loop, which changes
// the order in which the calls first appear but not their number (raw 46 instructions,
// wrapped 41, clang 14). GCC lays both out alike either way.
long long raw_sum_rows(sqlite3_stmt* s) noexcept {
    long long total = 0;
    while (raw_step(s)) {
        auto const* text = reinterpret_cast<char const*>(sqlite3_column_text(s, 1));
        std::size_t const length = text != nullptr ? std::strlen(text) : 0;
        total += sqlite3_column_int64(s, 0) + static_cast<long long>(length);
    }
    sqlite3_finalize(s);
    return total;
}
long long wrapped_sum_rows(sqlite3_stmt* s) {
    sqlite::statement st{s};
    long long total = 0;
    while (st.step()) {
        sqlite::text_view text = st.column_text(1);
        total += st.column_int(0) + static_cast<long long>(text->size());
    }
    return total;
}

// Self-test of the comparer: reading the text column twice costs a second call.
long long unfair_sum_rows(sqlite3_stmt* s) {
    sqlite::statement st{s};
    long long total = 0;
    while (st.step())
        total += st.column_int(0) + static_cast<long long>(st.column_text(1)->size() + st.column_text(1)->size());
    return total;
}

} // extern "C"
