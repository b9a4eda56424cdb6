// cbound::archive — a thread-local UTF-8 character locale around libarchive calls (internal).
//
// libarchive converts names with the calling thread's LC_CTYPE. A program that never calls
// setlocale runs in "C", where a pax UTF-8 name cannot be converted and comes back raw or
// NULL. uselocale() switches only the calling thread, so cbound can read names as UTF-8
// without touching the process-wide locale the user owns.
#pragma once

#include <clocale>
#include <initializer_list>
#include <langinfo.h>
#include <locale.h>
#include <string_view>

namespace cbound::archive::detail {

/// The process's shared "C.UTF-8" LC_CTYPE locale, or LC_GLOBAL_LOCALE where none exists.
[[nodiscard]] inline locale_t utf8_locale() noexcept {
    static locale_t const loc = [] {
        for (char const* name : {"C.UTF-8", "C.utf8", "en_US.UTF-8"}) {
            if (locale_t l = ::newlocale(LC_CTYPE_MASK, name, static_cast<locale_t>(nullptr)); l != nullptr) return l;
        }
        return LC_GLOBAL_LOCALE;
    }();
    return loc;
}

/// Whether the calling thread's LC_CTYPE is UTF-8 already (then names need no switch).
[[nodiscard]] inline bool thread_locale_is_utf8() noexcept {
    std::string_view const codeset = ::nl_langinfo(CODESET);
    return codeset == "UTF-8" || codeset == "utf8";
}

/// Makes the calling thread use the UTF-8 locale until the end of the scope.
class utf8_scope {
public:
    utf8_scope() noexcept : previous_(::uselocale(utf8_locale())) {}
    utf8_scope(utf8_scope const&) = delete;
    utf8_scope& operator=(utf8_scope const&) = delete;
    ~utf8_scope() { ::uselocale(previous_); }

private:
    locale_t previous_;
};

} // namespace cbound::archive::detail
