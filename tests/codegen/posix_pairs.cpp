// Codegen pairs for cbound/posix.hpp. Its open functions throw, so this file is compiled
// with exceptions on (EXCEPTIONS in CMakeLists.txt): only pairs that call no function that
// may throw belong here, since a noexcept destructor around such a call costs a terminate
// path. unique_fd's pairs are in core_pairs.cpp, which builds without exceptions.
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

// Self-test of the comparer in this mode: extra work on the same view must be flagged.
std::size_t unfair_mapped_size(cbound::mapped_file const* m) { return m->bytes().size() * 3; }

} // extern "C"
