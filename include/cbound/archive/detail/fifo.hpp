// cbound::archive — a first-in first-out queue over one vector (internal).
//
// The extraction pool's queue and the files in flight are FIFOs; <deque> for them cost a
// thirtieth of <filesystem> in every translation unit that includes extract.hpp. This is a
// vector and the index of its front: pushing and popping stay amortised O(1), since the
// popped front is dropped once it is half the vector.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace cbound::archive::detail {

/// A queue of `T` (movable): push at the back, take from the front, walk front to back.
template <class T>
class fifo {
public:
    /// Whether the queue is empty.
    [[nodiscard]] bool empty() const noexcept { return head_ == items_.size(); }

    /// How many items are queued.
    [[nodiscard]] std::size_t size() const noexcept { return items_.size() - head_; }

    /// The first item.
    [[nodiscard]] T& front() noexcept { return items_[head_]; }

    /// The last item.
    [[nodiscard]] T& back() noexcept { return items_.back(); }

    /// Queues `item` at the back.
    void push_back(T item) {
        if (head_ == items_.size()) {
            clear();
        } else if (head_ >= 32 && 2 * head_ >= items_.size()) {
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        items_.push_back(std::move(item));
    }

    /// Takes the first item out.
    [[nodiscard]] T take_front() {
        T item = std::move(items_[head_]);
        items_[head_] = T();
        ++head_;
        return item;
    }

    /// The first item, for a walk front to back.
    [[nodiscard]] T* begin() noexcept { return items_.data() + head_; }

    /// Past the last item.
    [[nodiscard]] T* end() noexcept { return items_.data() + items_.size(); }

    /// Removes every item.
    void clear() noexcept {
        items_.clear();
        head_ = 0;
    }

private:
    std::vector<T> items_;
    std::size_t head_ = 0; ///< items before it were taken
};

} // namespace cbound::archive::detail
