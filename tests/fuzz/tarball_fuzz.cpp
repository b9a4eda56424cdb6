// libFuzzer target: any bytes through tarball::open_memory, then every entry reached by index
// and by name. Only cbound::archive::error may escape the open or file() (data decoded on
// demand, or an entry that could not be decoded); other lookups must not throw at all, and
// every span must lie inside the input or the tarball's storage.
#include <cbound/archive/tarball.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    namespace ca = cbound::archive;
    ca::tarball_options options;
    options.max_decoded_bytes = std::uint64_t{64} << 20; // keep decompression bombs cheap
    options.max_entries = 10000;
    options.seek_spacing = 64 * 1024; // many seek points even in small inputs
    std::uint64_t checksum = 0;
    try {
        ca::tarball t = ca::tarball::open_memory({reinterpret_cast<std::byte const*>(data), size}, options);
        for (std::size_t i = 0; i < t.size(); ++i) {
            std::string_view name = t[i].pathname();
            // find() returns the last entry of that name, never an earlier one than i.
            std::optional<std::size_t> found = t.find(name);
            if (!found || *found < i || t[*found].pathname() != name) std::abort();
            try {
                if (auto bytes = t.file(i)) {
                    for (std::byte b : *bytes)
                        checksum += static_cast<std::uint8_t>(b); // ASan checks every byte
                }
            } catch (ca::error const&) {
                // This entry alone could not be decoded.
            }
        }
        if (t.file(t.size())) std::abort(); // out of range is nullopt
    } catch (ca::error const&) {
        // Bad input must end in exactly this, and only at open.
    }
    return checksum == 1 ? 1 : 0; // keeps the reads from being optimised away
}
