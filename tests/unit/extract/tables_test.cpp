// The extraction's own containers (flat_table, fifo) against the standard ones they replace:
// the same answers after the same random operations, deletions in runs that wrap included.
#include <cbound/archive/detail/fifo.hpp>
#include <cbound/archive/detail/flat_table.hpp>

#include "catch_support.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <string>

namespace cd = cbound::archive::detail;

namespace {

/// A hash that sends many keys to few home slots, so that runs are long and wrap.
struct crowded_hash {
    std::size_t operator()(std::uint64_t n) const noexcept { return n % 7; }
};

} // namespace

TEST_CASE("flat_table answers as a std::map after random inserts and erases", "[extract][tables]") {
    std::mt19937_64 random(42);
    cd::flat_table<std::uint64_t, int, crowded_hash> table;
    std::map<std::uint64_t, int> expected;
    for (int step = 0; step < 20000; ++step) {
        std::uint64_t const key = random() % 200;
        switch (random() % 4) {
        case 0:
        case 1: {
            auto [value, fresh] = table.try_emplace(key);
            bool const expected_fresh = expected.count(key) == 0;
            REQUIRE(fresh == expected_fresh);
            *value += 1;
            expected[key] += 1;
            break;
        }
        case 2: REQUIRE(table.erase(key) == (expected.erase(key) == 1)); break;
        default:
            if (step % 5000 == 0) {
                table.clear();
                expected.clear();
            }
        }
        REQUIRE(table.size() == expected.size());
        for (std::uint64_t k = 0; k < 200; k += 17) {
            int const* found = table.find(k);
            auto const it = expected.find(k);
            REQUIRE((found != nullptr) == (it != expected.end()));
            if (found != nullptr) REQUIRE(*found == it->second);
        }
    }
    for (auto const& [key, value] : expected) {
        REQUIRE(table.contains(key));
        REQUIRE(*table.find(key) == value);
    }
}

TEST_CASE("flat_table with string keys is looked up by string_view and drops what erase_if says", "[extract][tables]") {
    cd::flat_table<std::string, int, cd::string_hash> table;
    for (int i = 0; i < 100; ++i)
        *table.try_emplace("a/" + std::to_string(i)).first = i;
    *table.try_emplace(std::string_view("b")).first = -1;
    REQUIRE(table.size() == 101);
    REQUIRE(*table.find(std::string_view("a/42")) == 42);
    REQUIRE(table.find(std::string_view("a/100")) == nullptr);
    int dropped = 0;
    table.erase_if([&](std::string_view key, int& value) {
        bool const drop = key.substr(0, 2) == "a/" && value % 2 == 0;
        dropped += drop ? 1 : 0;
        return drop;
    });
    REQUIRE(dropped == 50);
    REQUIRE(table.size() == 51);
    REQUIRE(table.find(std::string_view("a/42")) == nullptr);
    REQUIRE(*table.find(std::string_view("a/43")) == 43);
    REQUIRE(*table.find(std::string_view("b")) == -1);
}

TEST_CASE("fifo gives back in order what a std::deque would, across compactions", "[extract][tables]") {
    std::mt19937 random(7);
    cd::fifo<std::string> queue;
    std::deque<std::string> expected;
    for (int step = 0; step < 10000; ++step) {
        if (random() % 3 != 0 || expected.empty()) {
            std::string item = std::to_string(step);
            queue.push_back(item);
            expected.push_back(item);
        } else {
            REQUIRE(queue.front() == expected.front());
            REQUIRE(queue.take_front() == expected.front());
            expected.pop_front();
        }
        REQUIRE(queue.size() == expected.size());
        REQUIRE(queue.empty() == expected.empty());
        if (!expected.empty()) REQUIRE(queue.back() == expected.back());
    }
    std::size_t i = 0;
    for (std::string const& item : queue)
        REQUIRE(item == expected[i++]);
    REQUIRE(i == expected.size());
}
