// cbound::archive — the error model: one exception type, status rules, callback safety.
//
// Every libarchive entry point clears the handle's error state, so the message and errno
// are copied into the exception before anything else is called on the handle. libarchive's
// own error numbers (a bad format, a misuse) are not system errors: they become errc values,
// so what() never appends an unrelated strerror text to them.
#pragma once

#include <archive.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

namespace cbound::archive {

/// libarchive's status codes as an enum (archive.h: OK 0, EOF 1, RETRY -10, WARN -20, FAILED -25, FATAL -30).
enum class status : int {
    ok = ARCHIVE_OK,         ///< success
    eof = ARCHIVE_EOF,       ///< no more headers or data
    retry = ARCHIVE_RETRY,   ///< try again
    warn = ARCHIVE_WARN,     ///< done, with a warning
    failed = ARCHIVE_FAILED, ///< this operation failed; the handle may continue
    fatal = ARCHIVE_FATAL,   ///< the handle is unusable from now on
};

/// The name of a status ("ok", "warn", …).
[[nodiscard]] constexpr std::string_view to_string(status s) noexcept {
    switch (s) {
    case status::ok: return "ok";
    case status::eof: return "eof";
    case status::retry: return "retry";
    case status::warn: return "warn";
    case status::failed: return "failed";
    case status::fatal: return "fatal";
    }
    return "unknown";
}

/// Errors that cbound itself detects, in the category cbound::archive::category().
enum class errc : int {
    archive_failed = 1, ///< libarchive reported a failure without an errno
    handle_unusable,    ///< the handle is moved-from, closed, or went FATAL earlier
    callback_threw,     ///< a callback threw and only libarchive's record of it is left (native_handle() callers);
                        ///< cbound itself rethrows the exception as it was thrown
    size_mismatch,      ///< an entry's data was shorter or longer than declared
    limit_exceeded,     ///< a configured limit (bytes, entries, ratio, memory) was reached
    unsafe_entry,       ///< an entry was refused by the extraction policy
    cancelled,          ///< a progress callback asked to stop
    invalid_argument,   ///< the caller passed a value cbound cannot use
    not_found,          ///< the requested entry does not exist
    bad_format,         ///< the data is not an archive libarchive can read, or it is damaged
    stream_failed,      ///< the caller's std::istream or std::ostream failed
};

/// The error category of cbound::archive::errc values (named "cbound.archive").
[[nodiscard]] inline std::error_category const& category() noexcept {
    struct category_impl final : std::error_category {
        char const* name() const noexcept override { return "cbound.archive"; }
        std::string message(int value) const override {
            switch (static_cast<errc>(value)) {
            case errc::archive_failed: return "libarchive reported a failure";
            case errc::handle_unusable: return "the archive handle is no longer usable";
            case errc::callback_threw: return "a user callback threw an exception";
            case errc::size_mismatch: return "entry data does not match its declared size";
            case errc::limit_exceeded: return "a configured limit was exceeded";
            case errc::unsafe_entry: return "entry refused by the extraction policy";
            case errc::cancelled: return "cancelled";
            case errc::invalid_argument: return "invalid argument";
            case errc::not_found: return "no such entry";
            case errc::bad_format: return "not a readable archive";
            case errc::stream_failed: return "the stream failed";
            }
            return "unknown cbound.archive error";
        }
    };
    static category_impl const instance;
    return instance;
}

/// Makes errc usable as a std::error_code.
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

/// What an error's pathname() names.
enum class path_subject : unsigned char {
    entry,   ///< an entry inside the archive
    archive, ///< the archive itself (its path on disk)
    file,    ///< a file or folder on disk that is not the archive (add_tree's sources, an extraction's target)
};

/// The word a message uses for a path_subject ("entry", "archive", "file").
[[nodiscard]] constexpr std::string_view to_string(path_subject s) noexcept {
    switch (s) {
    case path_subject::entry: return "entry";
    case path_subject::archive: return "archive";
    case path_subject::file: return "file";
    }
    return "entry";
}

/// A failure of a libarchive operation: errno (or errc) as the code, plus operation, message and path.
class error : public std::system_error {
public:
    /// Builds an error; what() reads "operation: message (entry 'pathname')", the word naming
    /// `subject`; a system error's text follows (": No such file or directory").
    error(std::error_code code, std::string operation, std::string message, std::string pathname = {},
          archive::status st = status::failed, path_subject subject = path_subject::entry)
        : std::system_error(code), operation_(std::move(operation)), message_(std::move(message)),
          pathname_(std::move(pathname)), status_(st), subject_(subject) {
        what_ = compose();
    }

    /// "operation: message (entry 'pathname')", then the system error's text where the code is an errno.
    [[nodiscard]] char const* what() const noexcept override { return what_.c_str(); }
    /// The cbound operation that failed, such as "read_next_header" or "open".
    [[nodiscard]] std::string const& operation() const noexcept { return operation_; }
    /// libarchive's (or cbound's) message, without the operation and path.
    [[nodiscard]] std::string const& message() const noexcept { return message_; }
    /// The path concerned (see subject()); empty when none.
    [[nodiscard]] std::string const& pathname() const noexcept { return pathname_; }
    /// What pathname() names: an entry, the archive, or a file on disk.
    [[nodiscard]] path_subject subject() const noexcept { return subject_; }
    /// The libarchive status that produced this error.
    [[nodiscard]] archive::status status() const noexcept { return status_; }

private:
    std::string compose() const {
        std::string s = operation_;
        s += ": ";
        s += message_;
        // libarchive's messages often quote the path already ("Failed to open 'x.tar'").
        if (!pathname_.empty() && message_.find("'" + pathname_ + "'") == std::string::npos) {
            s += " (";
            s += to_string(subject_);
            s += " '";
            s += pathname_;
            s += "')";
        }
        // cbound's own codes are said by the message; a system error's text is added unless said already.
        if (code().category() != category() && code().value() != 0) {
            std::string const text = code().message();
            if (!message_.ends_with(text)) {
                s += ": ";
                s += text;
            }
        }
        return s;
    }

    std::string operation_;
    std::string message_;
    std::string pathname_;
    std::string what_;
    archive::status status_;
    path_subject subject_;
};

/// A warning libarchive reported while the operation still succeeded (status WARN).
struct warning {
    std::string operation; ///< the cbound operation, such as "read_next_header"
    std::string message;   ///< libarchive's message
    std::string pathname;  ///< the entry concerned; empty when none
    int error_number = 0;  ///< archive_errno() at the time, 0 when none
};

namespace detail {

/// The error number callback_guard leaves in libarchive for a callback that threw; libarchive
/// uses only errno values and ARCHIVE_ERRNO_MISC (-1) itself.
inline constexpr int callback_errno = -2;

/// libarchive's own error numbers (defined in its private headers): a malformed or unknown
/// format, a misuse of the API. They reuse errno values whose system text says something else.
inline constexpr int archive_errno_file_format = EILSEQ;
inline constexpr int archive_errno_programmer = EINVAL;

/// The code of libarchive's error number `number`: its own numbers (a bad format, a misuse, a
/// failure it gives no reason for, a callback that threw) as errc, the rest as errno values.
[[nodiscard]] inline std::error_code code_of_archive_errno(int number) noexcept {
    switch (number) {
    case archive_errno_file_format: return make_error_code(errc::bad_format);
    case archive_errno_programmer: return make_error_code(errc::invalid_argument);
    case callback_errno: return make_error_code(errc::callback_threw);
    default:
        return number > 0 ? std::error_code(number, std::generic_category()) : make_error_code(errc::archive_failed);
    }
}

/// Captures libarchive's current error of `a` into an exception; call before any other call on `a`.
[[nodiscard]] inline error capture_error(::archive* a, int st, std::string operation, std::string_view pathname = {},
                                         path_subject subject = path_subject::entry) {
    int const number = a != nullptr ? archive_errno(a) : 0;
    char const* text = a != nullptr ? archive_error_string(a) : nullptr;
    std::string message = text != nullptr ? text : std::string(to_string(static_cast<status>(st)));
    return error(code_of_archive_errno(number), std::move(operation), std::move(message), std::string(pathname),
                 static_cast<status>(st), subject);
}

/// Captures libarchive's current warning of `a`; call before any other call on `a`.
[[nodiscard]] inline warning capture_warning(::archive* a, std::string operation, std::string_view pathname = {}) {
    char const* text = archive_error_string(a);
    return warning{std::move(operation), text != nullptr ? text : "warning", std::string(pathname), archive_errno(a)};
}

/// An error cbound raises itself.
[[nodiscard]] inline error make_error(errc e, std::string operation, std::string message,
                                      std::string_view pathname = {}, status st = status::failed,
                                      path_subject subject = path_subject::entry) {
    return error(make_error_code(e), std::move(operation), std::move(message), std::string(pathname), st, subject);
}

/// `x` as a message shows it: "1000", "12.5", never "1000.000000".
[[nodiscard]] inline std::string number_text(double x) {
    char text[32];
    int const n = std::snprintf(text, sizeof text, "%.15g", x);
    return std::string(text, n > 0 ? static_cast<std::size_t>(n) : 0);
}

/// Holds an exception thrown by a user callback while C code is on the stack.
///
/// C frames must never be unwound: the trampoline calls run(), which catches everything,
/// records it with archive_set_error and returns ARCHIVE_FATAL to libarchive; the C++ caller
/// then calls rethrow_if_any() once the C function has returned, so the caller gets the very
/// exception the callback threw. Where libarchive's error is all that reaches the caller (a
/// path holding only the handle), its number is callback_errno, which capture_error turns
/// into errc::callback_threw, and its message carries the exception's what().
class callback_guard {
public:
    /// Runs `f` (returning the C callback's value), turning an exception into `failure`.
    template <class F, class R = std::invoke_result_t<F>>
    R run(::archive* a, R failure, F&& f) noexcept {
        try {
            return static_cast<F&&>(f)();
        } catch (std::exception const& e) {
            record(a, e.what());
        } catch (...) {
            record(a, "an exception that is not a std::exception");
        }
        return failure;
    }
    /// Whether a callback exception is waiting to be rethrown.
    [[nodiscard]] bool has_pending() const noexcept { return static_cast<bool>(pending_); }
    /// Rethrows (and clears) the callback exception, if one was caught.
    void rethrow_if_any() {
        if (pending_) std::rethrow_exception(std::exchange(pending_, nullptr));
    }

private:
    void record(::archive* a, char const* what) noexcept {
        // The first exception is the cause; a later one (libarchive calling again) is its echo.
        if (!pending_) pending_ = std::current_exception();
        if (a != nullptr) archive_set_error(a, callback_errno, "a callback threw: %s", what);
    }

    std::exception_ptr pending_;
};

} // namespace detail
} // namespace cbound::archive

template <>
struct std::is_error_code_enum<cbound::archive::errc> : std::true_type {};
