// A consumer built with -fno-exceptions: the core headers compile, and unique_resource,
// cstring_view, out_ptr, checked views, callback and the non-throwing checked calls work.
#include <cbound/cbound.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

int main() {
    cbound::cstring_view path = "/";
    auto opened = cbound::try_checked<&::open, cbound::fails_if_equal<-1>{}>(path.c_str(), O_RDONLY | O_DIRECTORY);
    if (!opened) return 1;
    cbound::unique_fd dir{opened.value()};
    auto missing = cbound::try_checked<&::open, cbound::fails_if_equal<-1>{}>("/no/such/path", O_RDONLY);

    std::unique_ptr<char, decltype(&std::free)> copy(nullptr, &std::free);
    auto duplicate = [](char const* s, char** out) { *out = strdup(s); };
    duplicate("copied", cbound::out_ptr(copy));

    cbound::generation owner;
    cbound::checked_view<cbound::cstring_view> view{cbound::cstring_view(copy.get()), owner, "copy"};
    auto closed = cbound::try_checked_close<cbound::fails_if_equal<-1>{}>(dir);
    cbound::callback<int(int)> twice = [](int x) { return 2 * x; };
    std::printf("no-exceptions consumer: %s, %s failed: %s, closed %d, callback %d\n", view.get().c_str(),
                missing.function(), missing.error() == std::errc::no_such_file_or_directory ? "ENOENT" : "?",
                closed.ok(), twice(21));
    return 0;
}
