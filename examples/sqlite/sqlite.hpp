// A small sqlite3 binding made with cbound's core alone: the proof that the core serves any
// C API, not only libarchive. Each piece of the core has one job here:
//   unique_resource + fn_deleter   own sqlite3* and sqlite3_stmt* (as large as the pointers)
//   out_ptr                        hand them to sqlite3_open_v2 / sqlite3_prepare_v2
//   checked / a failure rule       turn result codes into std::system_error naming the call
//   cstring_view                   pass SQL and file names on, and lend column text out
//   checked_view + generation      catch column text used after the next step() (CBOUND_CHECKED=1)
//   checked_close                  close the database and hear what sqlite3_close answered
#pragma once

#include <cbound/checked_call.hpp>
#include <cbound/checked_view.hpp>
#include <cbound/cstring_view.hpp>
#include <cbound/out_ptr.hpp>
#include <cbound/unique_resource.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

namespace sqlite {

/// The category of sqlite3's result codes; messages come from sqlite3_errstr.
inline std::error_category const& category() noexcept {
    struct sqlite_category final : std::error_category {
        char const* name() const noexcept override { return "sqlite3"; }
        std::string message(int code) const override { return sqlite3_errstr(code); }
    };
    static sqlite_category const instance;
    return instance;
}

/// Most sqlite3 functions: anything but SQLITE_OK is a failure, and the result is the code.
inline constexpr auto ok = cbound::fails_unless_equal<SQLITE_OK, &category>{};

/// sqlite3_step: SQLITE_ROW and SQLITE_DONE both succeed (a rule of our own: two good values).
struct step_rule {
    /// Whether the step failed.
    constexpr bool failed(int rc) const noexcept { return rc != SQLITE_ROW && rc != SQLITE_DONE; }
    /// The error code of a failed step: the result itself.
    constexpr int code(int rc) const noexcept { return rc; }
    /// The category of the codes.
    static constexpr cbound::category_function category = &sqlite::category;
};

// sqlite3_finalize(NULL) is harmless and a statement handle never moves (it lives inside a
// statement from the start), so its destructor finalizes without a test, as C code would.
// A database is returned from open(), so it may be moved from; there the test before
// sqlite3_close folds away on the moved-from side, where an unconditional call would stay.
/// An owned connection; nullptr is never passed to sqlite3_close.
using database_handle = cbound::unique_resource<sqlite3*, cbound::fn_deleter<&sqlite3_close>>;
/// An owned prepared statement; sqlite3_finalize accepts nullptr.
using statement_handle = cbound::unique_resource<sqlite3_stmt*, cbound::fn_deleter<&sqlite3_finalize>,
                                                 cbound::nullable_pointer_traits<sqlite3_stmt*>>;

/// Text of one column of the current row: valid until the statement steps, resets or dies.
using text_view = cbound::checked_view<cbound::cstring_view>;

/// A prepared statement. Not movable: the column views it lends point at its generation.
class statement {
public:
    /// Takes ownership of a prepared statement (or of nullptr).
    explicit statement(sqlite3_stmt* adopted) noexcept : handle_(adopted) {}
    /// Compiles one SQL statement on the connection `db`.
    statement(sqlite3* db, cbound::cstring_view sql) {
        // The length includes the NUL, which cstring_view guarantees: sqlite reads no further.
        cbound::checked<&sqlite3_prepare_v2, ok>(db, sql.c_str(), static_cast<int>(sql.size() + 1),
                                                 cbound::out_ptr(handle_), nullptr);
    }
    statement(statement const&) = delete;
    statement& operator=(statement const&) = delete;

    /// Moves to the next row: true when there is one, false when the statement is done.
    /// Every column_text lent so far becomes stale.
    bool step() {
        rows_.advance();
        return cbound::checked<&sqlite3_step, step_rule{}>(handle_.get()) == SQLITE_ROW;
    }

    /// Rewinds the statement to run it again; column texts lent so far become stale.
    void reset() {
        rows_.advance();
        cbound::checked<&sqlite3_reset, ok>(handle_.get());
    }

    /// Binds a 64-bit integer to the parameter at `index` (from 1).
    void bind(int index, std::int64_t value) { cbound::checked<&sqlite3_bind_int64, ok>(handle_.get(), index, value); }
    /// Binds text to the parameter at `index` (from 1); sqlite copies it.
    void bind(int index, cbound::cstring_view text) {
        cbound::checked<&sqlite3_bind_text, ok>(handle_.get(), index, text.c_str(), static_cast<int>(text.size()),
                                                SQLITE_TRANSIENT);
    }

    /// The integer in column `i` of the current row.
    [[nodiscard]] std::int64_t column_int(int i) const noexcept { return sqlite3_column_int64(handle_.get(), i); }

    /// The text in column `i` of the current row ("" for NULL), lent until the next step().
    [[nodiscard]] text_view column_text(int i) const& noexcept CBOUND_LIFETIMEBOUND {
        auto const* text = reinterpret_cast<char const*>(sqlite3_column_text(handle_.get(), i));
        return {text != nullptr ? cbound::cstring_view(text) : cbound::cstring_view(), rows_,
                "sqlite column_text used after its statement stepped"};
    }
    /// Deleted: the text of a temporary statement would dangle at the end of the statement.
    text_view column_text(int) const&& = delete;

    /// The raw handle, still owned by this statement.
    [[nodiscard]] sqlite3_stmt* get() const noexcept { return handle_.get(); }

private:
    statement_handle handle_;
    [[no_unique_address]] cbound::generation rows_;
};

#if !CBOUND_CHECKED
static_assert(sizeof(statement) == sizeof(sqlite3_stmt*), "with checked mode off a statement is its pointer");
static_assert(sizeof(text_view) == sizeof(cbound::cstring_view), "and a column text is a cstring_view");
#endif

/// An open database connection.
class database {
public:
    /// Opens (or creates) the database at `path` (":memory:" for one in memory).
    static database open(cbound::cstring_view path, int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
        database db;
        // sqlite3_open_v2 hands back a connection even when it fails; out_ptr puts it into
        // db.handle_ either way, so it is closed when the exception leaves this function.
        cbound::checked<&sqlite3_open_v2, ok>(path.c_str(), cbound::out_ptr(db.handle_), flags, nullptr);
        return db;
    }

    /// Runs SQL that returns no rows (several statements separated by ';' are fine).
    void exec(cbound::cstring_view sql) {
        cbound::checked<&sqlite3_exec, ok>(handle_.get(), sql.c_str(), nullptr, nullptr, nullptr);
    }

    /// Compiles one SQL statement.
    [[nodiscard]] statement prepare(cbound::cstring_view sql) { return statement(handle_.get(), sql); }

    /// sqlite's message about the last failed call on this connection (sqlite3_errmsg).
    [[nodiscard]] cbound::cstring_view last_error() const& noexcept CBOUND_LIFETIMEBOUND {
        return cbound::cstring_view(sqlite3_errmsg(handle_.get()));
    }

    /// Closes the connection now and throws std::system_error ("sqlite3_close: ...") when
    /// sqlite3_close fails. The destructor closes too, but has to ignore the answer. The
    /// handle is empty afterwards either way; on SQLITE_BUSY (a statement is still alive)
    /// sqlite keeps the connection open, and it is then the caller's to close with
    /// sqlite3_close_v2 once the statements are gone (sqlite3_db_handle finds it).
    void close() { cbound::checked_close<ok>(handle_); }

    /// The raw handle, still owned by this database.
    [[nodiscard]] sqlite3* get() const noexcept { return handle_.get(); }

private:
    database_handle handle_;
};

} // namespace sqlite
