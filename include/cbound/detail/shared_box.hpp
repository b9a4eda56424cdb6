// cbound — shared_box<T>: a heap object with several owners, freed with the last (internal).
//
// Callbacks are copyable (cbound::callback), so state a callback's copies share (a read
// buffer, a decoder, a job the extraction pool finishes) needs shared ownership.
// std::shared_ptr would do, but <memory> alone costs every translation unit that includes
// the archive headers about 145 million compiler instructions, a fourteenth of <filesystem>
// (tests/bench/compile_time.sh), most of it for what cbound never uses (atomic shared
// pointers, allocators, uninitialized-memory algorithms). shared_box keeps the part cbound
// uses: make_shared_box's one allocation, copies counted atomically (owners may sit on other
// threads), conversion to a base, const or void pointer, and nothing else (no weak pointers,
// no aliasing, no custom deleters).
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace cbound::detail {

/// The part of a shared_box's allocation every owner sees: the count and how to free it.
struct shared_count {
    long owners = 1;                                   ///< how many shared_boxes own the object
    void (*destroy)(shared_count*) noexcept = nullptr; ///< frees the allocation holding this count
};

/// The one allocation of make_shared_box: the count, then the object.
template <class T>
struct shared_block : shared_count {
    T value; ///< the shared object

    /// Makes the object from `args`, owned once.
    template <class... Args>
    explicit shared_block(Args&&... args) : shared_count{1, &destroy_block}, value(std::forward<Args>(args)...) {}

    /// Frees the block that `c` is the count of.
    static void destroy_block(shared_count* c) noexcept { delete static_cast<shared_block*>(c); }
};

/// Shared ownership of one heap object (std::shared_ptr's role, made by make_shared_box only).
template <class T>
class shared_box {
public:
    /// Owns nothing.
    shared_box() noexcept = default;
    /// One more owner of what `other` owns.
    shared_box(shared_box const& other) noexcept : p_(other.p_), count_(other.count_) { retain(); }
    /// Takes over `other`'s ownership; `other` owns nothing after.
    shared_box(shared_box&& other) noexcept
        : p_(std::exchange(other.p_, nullptr)), count_(std::exchange(other.count_, nullptr)) {}
    /// One more owner, through a base, const or void pointer, of what `other` owns.
    template <class U>
    requires(!std::is_same_v<U, T> && std::is_convertible_v<U*, T*>) shared_box(shared_box<U> const& other)
    noexcept // NOLINT(google-explicit-constructor): as shared_ptr
        : p_(other.p_), count_(other.count_) {
        retain();
    }
    /// Takes over `other`'s ownership through a base, const or void pointer.
    template <class U>
    requires(!std::is_same_v<U, T> && std::is_convertible_v<U*, T*>) shared_box(shared_box<U>&& other)
    noexcept // NOLINT(google-explicit-constructor): as shared_ptr
        : p_(std::exchange(other.p_, nullptr)), count_(std::exchange(other.count_, nullptr)) {}
    /// Owns what `other` owns, after giving up what it owned.
    shared_box& operator=(shared_box other) noexcept {
        std::swap(p_, other.p_);
        std::swap(count_, other.count_);
        return *this;
    }
    /// Gives up ownership; the last owner frees the object.
    ~shared_box() { release(); }

    /// The object owned, or null.
    [[nodiscard]] T* get() const noexcept { return p_; }
    /// The object owned, which must exist.
    [[nodiscard]] T* operator->() const noexcept { return p_; }
    /// The object owned, which must exist (not offered for void).
    template <class U = T>
    requires(!std::is_void_v<U>) [[nodiscard]] U& operator*() const noexcept { return *p_; }
    /// Whether it owns an object.
    explicit operator bool() const noexcept { return p_ != nullptr; }
    /// Whether it owns nothing (`b == nullptr`; C++20 derives `!=`).
    friend bool operator==(shared_box const& b, std::nullptr_t) noexcept { return b.p_ == nullptr; }
    /// Gives up ownership now; the last owner frees the object.
    void reset() noexcept { shared_box().swap_with(*this); }

private:
    template <class>
    friend class shared_box;
    template <class U, class... Args>
    friend shared_box<U> make_shared_box(Args&&... args);

    shared_box(T* p, shared_count* count) noexcept : p_(p), count_(count) {}

    void swap_with(shared_box& other) noexcept {
        std::swap(p_, other.p_);
        std::swap(count_, other.count_);
    }
    // Copies may be made on one thread while another releases, so the count is atomic: a new
    // owner needs no ordering (it holds a reference already); the last release must see every
    // other owner's writes before freeing, hence acquire-release.
    void retain() const noexcept {
        if (count_ != nullptr) __atomic_fetch_add(&count_->owners, 1, __ATOMIC_RELAXED);
    }
    void release() noexcept {
        if (count_ != nullptr && __atomic_fetch_sub(&count_->owners, 1, __ATOMIC_ACQ_REL) == 1) count_->destroy(count_);
    }

    T* p_ = nullptr;
    shared_count* count_ = nullptr;
};

/// A new T made from `args`, with its count, in one allocation (std::make_shared's role).
template <class T, class... Args>
[[nodiscard]] shared_box<T> make_shared_box(Args&&... args) {
    auto* block = new shared_block<T>(std::forward<Args>(args)...);
    return shared_box<T>(&block->value, block);
}

} // namespace cbound::detail
