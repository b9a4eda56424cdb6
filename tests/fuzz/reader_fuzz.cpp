// libFuzzer target: any bytes through reader::open_memory, every entry read fully.
// Only cbound::archive::error may escape a read; anything else (a crash, a sanitizer report,
// another exception) is a finding.
#include <cbound/archive/reader.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    namespace ca = cbound::archive;
    std::uint64_t checksum = 0;
    try {
        auto r = ca::reader::open_memory({reinterpret_cast<std::byte const*>(data), size});
        // Bounded: a few bytes can describe endless empty entries.
        for (int entries = 0; entries < 10000; ++entries) {
            auto e = r.next();
            if (!e) break;
            checksum += e->pathname().size() + static_cast<std::uint64_t>(e->size().value_or(0));
            checksum += e->symlink().value_or("").size() + e->hardlink().value_or("").size();
            try {
                for (ca::block b : e->blocks())
                    checksum += b.data.size() + static_cast<std::uint64_t>(b.offset);
            } catch (ca::error const& failed) {
                if (failed.status() == ca::status::fatal) throw; // a data error may continue; FATAL may not
            }
        }
    } catch (ca::error const&) {
        // Bad input must end in exactly this.
    }
    return checksum == 1 ? 1 : 0; // keeps the reads from being optimised away
}
