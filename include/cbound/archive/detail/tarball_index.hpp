// cbound::archive — the in-memory index behind tarball (internal).
//
// One compact record per entry, every name in one string pool, and a name-sorted table of
// entry numbers. File data is either borrowed from the archive bytes (zero-copy) or held in
// one owned buffer of decoded data; a record stores an offset into one of the two, never a
// pointer, so neither buffer needs to stay put while the index is built.
#pragma once

#include <cbound/posix.hpp>

#include <cbound/archive/error.hpp>
#include <cbound/archive/types.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cbound::archive::detail {

/// Where an entry's data lives.
enum class data_home : std::uint8_t {
    none,    ///< not a file (directory, symlink, device, unresolved hardlink)
    source,  ///< borrowed from the archive bytes
    decoded, ///< copied or decompressed into the tarball's own buffer
};

/// One entry of the index. The strings of entry i (pathname, then link target) are
/// names[name_offset_i, name_offset_{i+1}), so the pathname length needs no field.
struct tarball_record {
    std::uint64_t data_offset = 0; ///< into the source bytes or the decoded buffer
    std::uint64_t data_size = 0;   ///< bytes of file data
    std::int64_t mtime = 0;        ///< seconds since the epoch
    std::int64_t uid = 0;          ///< owner id
    std::int64_t gid = 0;          ///< group id
    std::uint64_t name_offset = 0; ///< start of this entry's strings in the pool
    std::uint32_t link_size = 0;   ///< bytes of the link target at the end of this entry's strings
    std::uint16_t mode = 0;        ///< st_mode: file-type bits and permissions
    data_home home = data_home::none;
    bool is_hardlink = false; ///< the link target names an earlier entry, not a path to follow
};

// The per-entry budget is 64 bytes: the record plus its slot in the name-sorted table.
static_assert(sizeof(tarball_record) + sizeof(std::uint32_t) <= 64, "tarball index record exceeds its budget");

/// Everything a tarball owns; immutable once built, so views into it stay valid until it dies.
struct tarball_index {
    mapped_file mapping;               // the archive file, when opened from a path
    std::span<std::byte const> source; // the archive bytes (the mapping, or the caller's memory)
    std::vector<std::byte> decoded;    // data that could not be borrowed from source
    std::vector<tarball_record> records;
    std::string names;                  // the string pool
    std::vector<std::uint32_t> by_name; // entry numbers sorted by (pathname, number)
    std::vector<warning> warnings;      // libarchive warnings met while indexing

    /// The strings (pathname + link target) of entry `i`.
    [[nodiscard]] std::string_view strings(std::size_t i) const noexcept {
        std::size_t const begin = records[i].name_offset;
        std::size_t const end = i + 1 < records.size() ? records[i + 1].name_offset : names.size();
        return std::string_view(names).substr(begin, end - begin);
    }

    /// The pathname of entry `i`.
    [[nodiscard]] std::string_view pathname(std::size_t i) const noexcept {
        std::string_view s = strings(i);
        return s.substr(0, s.size() - records[i].link_size);
    }

    /// The link target of entry `i` (empty when it is not a link).
    [[nodiscard]] std::string_view link_target(std::size_t i) const noexcept {
        std::string_view s = strings(i);
        return s.substr(s.size() - records[i].link_size);
    }

    /// The data of entry `i`, or nullopt when it is not a file.
    [[nodiscard]] std::optional<std::span<std::byte const>> data(std::size_t i) const noexcept {
        tarball_record const& r = records[i];
        switch (r.home) {
        case data_home::source: return source.subspan(r.data_offset, r.data_size);
        case data_home::decoded: return std::span<std::byte const>(decoded).subspan(r.data_offset, r.data_size);
        case data_home::none: break;
        }
        return std::nullopt;
    }

    /// The entry numbers named `path`, in archive order.
    [[nodiscard]] std::span<std::uint32_t const> all_named(std::string_view path) const noexcept {
        // Classic algorithms: clang 14 cannot instantiate libstdc++ 12's ranges::subrange.
        struct by_path {
            tarball_index const* self;
            bool operator()(std::uint32_t i, std::string_view p) const noexcept { return self->pathname(i) < p; }
            bool operator()(std::string_view p, std::uint32_t i) const noexcept { return p < self->pathname(i); }
        };
        auto const [first, last] = std::equal_range(by_name.begin(), by_name.end(), path, by_path{this});
        return {first, last};
    }

    /// The last entry named `path` (the one extraction would leave), if any.
    [[nodiscard]] std::optional<std::size_t> find(std::string_view path) const noexcept {
        std::span<std::uint32_t const> named = all_named(path);
        if (named.empty()) return std::nullopt;
        return named.back();
    }

    /// Sorts the name table; entries of equal name keep archive order.
    void sort_names() {
        by_name.resize(records.size());
        for (std::size_t i = 0; i < by_name.size(); ++i)
            by_name[i] = static_cast<std::uint32_t>(i);
        std::stable_sort(by_name.begin(), by_name.end(),
                         [this](std::uint32_t a, std::uint32_t b) { return pathname(a) < pathname(b); });
    }

    /// Points each hardlink at the data of the last earlier entry with its target's name.
    ///
    /// Runs in archive order, so a link to a link finds its target already resolved. A
    /// hardlink that carried a body of its own (pax allows it) keeps that body.
    void resolve_hardlinks() noexcept {
        for (std::size_t i = 0; i < records.size(); ++i) {
            tarball_record& r = records[i];
            if (!r.is_hardlink || r.home != data_home::none) continue;
            std::span<std::uint32_t const> named = all_named(link_target(i));
            auto const earlier = std::lower_bound(named.begin(), named.end(), static_cast<std::uint32_t>(i));
            if (earlier == named.begin()) continue; // no such earlier entry: nothing to read
            tarball_record const& target = records[*(earlier - 1)];
            r.home = target.home;
            r.data_offset = target.data_offset;
            r.data_size = target.data_size;
        }
    }
};

} // namespace cbound::archive::detail
