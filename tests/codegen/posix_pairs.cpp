// Codegen pairs for cbound/posix.hpp. Its open functions throw, so this file is compiled
// with exceptions on (EXCEPTIONS in CMakeLists.txt). A pair whose wrapped side ends in a
// destructor calling close() declares both sides noexcept: the destructor's guarantee
// costs a terminate path either way (core_pairs.cpp measures unique_fd without exceptions).
#include <cbound/posix.hpp>

#include <cstddef>

extern "C" {

// The layout a C program would use for a mapping.
struct raw_mapping {
    void const* data;
    std::size_t size;
};

// The size of a mapped file's bytes, through the span view.
std::size_t raw_mapped_size(raw_mapping const* m) { return m->size; }
std::size_t wrapped_mapped_size(cbound::mapped_file const* m) { return m->bytes().size(); }

// The first byte of a mapping, or -1 when it is empty: a bounds check on the span.
int raw_first_byte(raw_mapping const* m) { return m->size != 0 ? *static_cast<unsigned char const*>(m->data) : -1; }
int wrapped_first_byte(cbound::mapped_file const* m) {
    auto bytes = m->bytes();
    return !bytes.empty() ? static_cast<int>(bytes[0]) : -1;
}

// Closing an owned descriptor: the real cbound::unique_fd, with the destructor's guarantee.
void raw_fd_close(int fd) noexcept {
    if (fd != -1) ::close(fd);
}
void wrapped_fd_close(int fd) noexcept { cbound::unique_fd owner{fd}; }

// Self-test of the comparer in this mode: extra work on the same view must be flagged.
std::size_t unfair_mapped_size(cbound::mapped_file const* m) { return m->bytes().size() * 3; }

} // extern "C"
