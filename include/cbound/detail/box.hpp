// cbound — box<T>: the one heap object a handle owns (internal).
//
// The archive handles (reader, writer, tarball) keep their state on the heap so that moving a
// handle moves one pointer and views into the state stay valid. std::unique_ptr would do, but
// each new std::unique_ptr<T> makes every translation unit that includes the header instantiate
// it with std::tuple and its constraint machinery: about 30 million compiler instructions each,
// a sixtieth of <filesystem> (tests/bench/compile_time.sh). box keeps unique_ptr's ownership
// rules (move-only, null when moved from, deletes through a base pointer with a virtual
// destructor) in a plain class that costs a tenth of that.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace cbound::detail {

/// Deletes a heap object with `delete`; the default deleter of box.
template <class T>
struct delete_object {
    /// Deletes `p`, which may be null.
    void operator()(T* p) const noexcept {
        static_assert(sizeof(T) > 0, "box<T> deletes an incomplete type");
        delete p;
    }
};

/// Deletes a heap array with `delete[]`: box<T, delete_array<T>> owns an array of T.
template <class T>
struct delete_array {
    /// Deletes the array `p`, which may be null.
    void operator()(T* p) const noexcept {
        static_assert(sizeof(T) > 0, "box<T> deletes an incomplete type");
        delete[] p;
    }
};

/// Owns one heap object of type T (or of a type derived from it), as std::unique_ptr does.
template <class T, class Deleter = delete_object<T>>
class box {
public:
    /// Owns nothing.
    box() noexcept = default;
    /// Takes ownership of `p` (which may be null).
    explicit box(T* p) noexcept : p_(p) {}
    /// Takes ownership of `p`, to be freed by `d`.
    box(T* p, Deleter d) noexcept : p_(p), delete_(d) {}
    /// Takes over what `other` owns; `other` owns nothing after.
    box(box&& other) noexcept : p_(std::exchange(other.p_, nullptr)), delete_(other.delete_) {}
    /// Takes over a box of a derived type, which then owns nothing.
    template <class U>
    requires(!std::is_same_v<U, T> && std::is_convertible_v<U*, T*>) box(box<U>&& other)
    noexcept : p_(other.release()) {} // NOLINT(google-explicit-constructor): as unique_ptr
    /// Frees what it owns, then takes over what `other` owns.
    box& operator=(box&& other) noexcept {
        if (this != &other) {
            reset(std::exchange(other.p_, nullptr));
            delete_ = other.delete_;
        }
        return *this;
    }
    box(box const&) = delete;
    box& operator=(box const&) = delete;
    /// Frees what it owns.
    ~box() {
        if (p_ != nullptr) delete_(p_);
    }

    /// The object owned, or null.
    [[nodiscard]] T* get() const noexcept { return p_; }
    /// The object owned, which must exist.
    [[nodiscard]] T* operator->() const noexcept { return p_; }
    /// The object owned, which must exist.
    [[nodiscard]] T& operator*() const noexcept { return *p_; }
    /// Whether it owns an object.
    explicit operator bool() const noexcept { return p_ != nullptr; }
    /// Whether it owns nothing (`b == nullptr`; C++20 derives `!=`).
    friend bool operator==(box const& b, std::nullptr_t) noexcept { return b.p_ == nullptr; }

    /// Gives up ownership without freeing: returns the object, and owns nothing after.
    [[nodiscard]] T* release() noexcept { return std::exchange(p_, nullptr); }
    /// Frees what it owns and takes ownership of `p`.
    void reset(T* p = nullptr) noexcept {
        T* const old = std::exchange(p_, p);
        if (old != nullptr) delete_(old);
    }

private:
    T* p_ = nullptr;
    [[no_unique_address]] Deleter delete_{};
};

/// A new T made from `args`, in a box.
template <class T, class... Args>
[[nodiscard]] box<T> make_box(Args&&... args) {
    return box<T>(new T(std::forward<Args>(args)...));
}

} // namespace cbound::detail
