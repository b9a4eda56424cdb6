// cbound::archive — a hash table with open addressing, for extraction's and the tree walk's tables (internal).
//
// Extraction keeps a few tables: the inodes it made, the names in flight on the pool, the
// folders known to exist, the open folders, the owners looked up; add_tree keeps the inodes
// it stored, for hard links. <set>, <unordered_set> and <unordered_map> for them cost about
// a tenth of <filesystem> in every translation unit that includes extract.hpp or writer.hpp.
// This table is one vector of slots: linear probing, at most half full, backward-shift
// deletion (no tombstones), so the same expected O(1) per operation. Lookups take any type
// the key compares equal to (a string_view for a string key, with no allocation). Its users
// name it through dependent_t, so a translation unit compiles it only where it extracts or
// walks a tree (config.hpp explains why that matters).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace cbound::archive::detail {

/// A map from `Key` to `Value` (both default-constructible and movable), hashed by `Hash`
/// (a function object taking anything `Key` is looked up by).
template <class Key, class Value, class Hash>
class flat_table {
public:
    /// How many keys the table holds.
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    /// Whether the table holds no key.
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

    /// The value at `key`, or null.
    template <class K>
    [[nodiscard]] Value* find(K const& key) noexcept {
        std::size_t const i = index_of(key, Hash{}(key));
        return i == npos ? nullptr : &slots_[i].value;
    }

    /// Whether `key` is in the table.
    template <class K>
    [[nodiscard]] bool contains(K const& key) const noexcept {
        return index_of(key, Hash{}(key)) != npos;
    }

    /// The value at `key`, inserted value-initialised when missing, and whether it was inserted.
    template <class K>
    std::pair<Value*, bool> try_emplace(K const& key) {
        std::size_t const hash = Hash{}(key);
        if (std::size_t const i = index_of(key, hash); i != npos) return {&slots_[i].value, false};
        if (2 * (size_ + 1) > slots_.size()) rehash(slots_.empty() ? 16 : 2 * slots_.size());
        slot& s = slots_[free_slot(hash)];
        s.key = Key(key); // may throw: the slot is marked used only after
        s.value = Value();
        s.hash = hash;
        s.used = true;
        ++size_;
        return {&s.value, true};
    }

    /// Removes `key`; whether it was there.
    template <class K>
    bool erase(K const& key) noexcept {
        std::size_t const i = index_of(key, Hash{}(key));
        if (i == npos) return false;
        remove_at(i);
        return true;
    }

    /// Removes every key for which `drop(key, value)` says true (`drop` may move the value away).
    template <class Drop>
    void erase_if(Drop drop) {
        std::vector<slot> old(slots_.size());
        old.swap(slots_);
        size_ = 0;
        for (slot& s : old) {
            if (!s.used || drop(static_cast<Key const&>(s.key), s.value)) continue;
            slot& to = slots_[free_slot(s.hash)];
            to = std::move(s);
            ++size_;
        }
    }

    /// Removes every key, keeping the memory.
    void clear() noexcept {
        if (size_ == 0) return;
        for (slot& s : slots_)
            if (s.used) s = slot();
        size_ = 0;
    }

private:
    struct slot {
        Key key{};
        Value value{};
        std::size_t hash = 0;
        bool used = false;
    };

    static constexpr std::size_t npos = ~std::size_t(0);

    /// The slot a hash starts probing at: the hash's bits mixed (Fibonacci hashing), since
    /// the keys may be sequential numbers such as inodes.
    [[nodiscard]] std::size_t home(std::size_t hash) const noexcept {
        return static_cast<std::size_t>((static_cast<std::uint64_t>(hash) * 0x9e3779b97f4a7c15ull) >> 32) &
               (slots_.size() - 1);
    }

    template <class K>
    [[nodiscard]] std::size_t index_of(K const& key, std::size_t hash) const noexcept {
        if (size_ == 0) return npos;
        std::size_t const mask = slots_.size() - 1;
        for (std::size_t i = home(hash); slots_[i].used; i = (i + 1) & mask)
            if (slots_[i].hash == hash && slots_[i].key == key) return i;
        return npos;
    }

    [[nodiscard]] std::size_t free_slot(std::size_t hash) const noexcept {
        std::size_t const mask = slots_.size() - 1;
        std::size_t i = home(hash);
        while (slots_[i].used)
            i = (i + 1) & mask;
        return i;
    }

    /// Empties slot `i`, moving back the later keys of its run that may take its place, so
    /// that every key stays reachable from its home slot without gaps.
    void remove_at(std::size_t i) noexcept {
        std::size_t const mask = slots_.size() - 1;
        for (std::size_t j = (i + 1) & mask; slots_[j].used; j = (j + 1) & mask) {
            std::size_t const h = home(slots_[j].hash);
            bool const reachable_without_i = i <= j ? (i < h && h <= j) : (i < h || h <= j);
            if (reachable_without_i) continue;
            slots_[i] = std::move(slots_[j]);
            i = j;
        }
        slots_[i] = slot();
        --size_;
    }

    void rehash(std::size_t capacity) {
        std::vector<slot> old(capacity);
        old.swap(slots_);
        for (slot& s : old)
            if (s.used) slots_[free_slot(s.hash)] = std::move(s);
    }

    std::vector<slot> slots_;
    std::size_t size_ = 0;
};

/// flat_table's hash of a number that is a hash already (the table mixes its bits).
struct number_hash {
    /// `n` itself.
    [[nodiscard]] std::size_t operator()(std::size_t n) const noexcept { return n; }
};

/// flat_table's hash of a string key, looked up by string_view.
struct string_hash {
    /// The standard hash of `s`.
    [[nodiscard]] std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

} // namespace cbound::archive::detail
