// cbound::archive — failed C calls: errno as an error, and the two retry loops (internal).
//
// One of each, so that every system call failure reads the same ("write: No space left on
// device (archive 'out.tar')") and every retry has the same bound:
//   errno_error        a failed system call as a cbound::archive::error, errno as its code
//   retry_on_signal    repeats a system call interrupted by a signal (EINTR) before it did anything
//   retry_archive      repeats a libarchive call that answered ARCHIVE_RETRY, at most max_retries times
#pragma once

#include <cbound/archive/error.hpp>

#include <archive.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace cbound::archive::detail {

/// How often a RETRY status is retried before it counts as a failure.
inline constexpr int max_retries = 16;

/// The error of a system call that failed with errno `number` (0 or less: EIO, for a call that
/// failed without saying why, such as a write of no bytes). The message is the errno's text,
/// after `doing` ("creating a temporary file: No space left on device") when given; the
/// status is FATAL, since what failed is the file cbound was working with.
[[nodiscard]] inline error errno_error(int number, std::string operation, std::string_view pathname = {},
                                       path_subject subject = path_subject::file, std::string_view doing = {}) {
    std::error_code const code(number > 0 ? number : EIO, std::generic_category());
    std::string message(doing);
    if (!message.empty()) message += ": ";
    message += code.message();
    return error(code, std::move(operation), std::move(message), std::string(pathname), status::fatal, subject);
}

/// Calls `call` (a system call returning -1 on failure) until it is not interrupted by a signal.
template <class Call>
[[nodiscard]] auto retry_on_signal(Call&& call) noexcept(noexcept(call())) -> decltype(call()) {
    for (;;) {
        auto const result = call();
        if (result >= 0 || errno != EINTR) return result;
    }
}

/// Calls `again` while `st`, the status of a libarchive call, is ARCHIVE_RETRY, at most
/// max_retries times, and returns the last status; a RETRY that persists is the caller's failure.
template <class Status, class Call>
[[nodiscard]] Status retry_archive(Status st, Call&& again) {
    for (int retry = 0; st == ARCHIVE_RETRY && retry < max_retries; ++retry)
        st = again();
    return st;
}

} // namespace cbound::archive::detail
