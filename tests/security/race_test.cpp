// Races: another process changes the tree while extraction runs. Extraction reaches every
// folder by descriptor, one component at a time without following a symlink, so a folder
// swapped for a symlink to outside can make entries fail or be refused, never write outside.
#include "attack_fixture.hpp"

#include <atomic>
#include <chrono>
#include <thread>

using namespace attack;

namespace {

/// Swaps the folders d0..d<count-1> of `dest` for symlinks to `outside` and back, until `stop`.
void keep_swapping(fs::path const& dest, fs::path const& outside, int count, std::atomic<bool> const& stop,
                   std::atomic<int>& swaps) {
    for (int k = 0; !stop; ++k) {
        std::error_code ec;
        fs::path const folder = dest / ("d" + std::to_string(k % count));
        fs::path const aside = dest / ("aside" + std::to_string(k));
        fs::rename(folder, aside, ec); // the real folder stays inside, under another name
        if (ec) continue;
        // Relative and absolute links, in turn.
        if (k % 2 == 0)
            fs::create_directory_symlink("../outside", folder, ec);
        else
            fs::create_directory_symlink(outside, folder, ec);
        if (!ec) ++swaps;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        fs::remove(folder, ec); // the symlink (or an empty folder extraction made meanwhile)
        fs::rename(aside, folder, ec);
    }
}

} // namespace

TEST_CASE("race: folders swapped for symlinks to outside during extraction never lead outside") {
    for (int repetition = 0; repetition < 3; ++repetition) {
        DYNAMIC_SECTION("repetition " << repetition) {
            workspace ws;
            fs::path const archive = ws.make("case28_many_files", "many.tar", "--entries 10");
            ca::extract_options o = options(ca::extract_policy::data, ca::on_unsafe::skip);
            o.failure = ca::on_failure::skip;
            std::atomic<bool> stop{false};
            std::atomic<int> swaps{0};
            // The folders exist before the run starts, so the swapping overlaps all of it.
            for (int d = 0; d < 10; ++d)
                fs::create_directories(ws.dest() / ("d" + std::to_string(d)));
            std::thread swapper(keep_swapping, ws.dest(), ws.outside(), 10, std::cref(stop), std::ref(swaps));
            std::optional<ca::extract_report> report;
            auto const e = error_from([&] { report = ws.extract(archive, o); });
            stop = true;
            swapper.join();
            INFO((e ? e->what() : "no error") << ", " << swaps << " swaps");
            CHECK(!e.has_value());
            CHECK(swaps > 0);
            if (report) CHECK(report->extracted + report->rejected + report->failed + report->skipped == 3010);
            ws.require_outside_untouched();
        }
    }
}

TEST_CASE("race: two extractions into the same destination at once") {
    workspace ws;
    fs::path const archive = ws.make("case28_many_files", "many.tar", "--entries 6");
    std::atomic<int> failures{0};
    auto run = [&] {
        try {
            if (ws.extract(archive).extracted != 6 * 301) ++failures;
        } catch (...) {
            ++failures;
        }
    };
    std::thread first(run), second(run);
    first.join();
    second.join();
    CHECK(failures == 0);
    for (int d = 0; d < 6; ++d) {
        for (int i = 0; i < 300; i += 37) {
            fs::path const file = ws.dest() / ("d" + std::to_string(d)) / ("f" + std::to_string(i));
            INFO(file);
            CHECK(cbound_test::read_file(file) == std::to_string(d) + "-" + std::to_string(i) + "\n");
        }
    }
    // No temporary file of either run is left behind.
    for (auto const& item : fs::recursive_directory_iterator(ws.dest()))
        CHECK(item.path().filename().string().rfind(".cbound-", 0) == std::string::npos);
    ws.require_outside_untouched();
}
