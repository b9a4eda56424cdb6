// cbound::archive — entries to write: the entry_info aggregate and the owned entry.
//
// entry_info covers what most callers set (designated initializers read like a form);
// entry owns an archive_entry* for everything else and for copies of entries being read.
#pragma once

#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/utf8.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/chrono.hpp>

#include <archive_entry.h>

#include <concepts>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive {

/// A point in time with nanosecond precision (the same alias entry.hpp declares for reading).
using entry_time = std::chrono::sys_time<std::chrono::nanoseconds>;

/// One extended attribute: a name such as "user.comment" and its raw value.
struct xattr_info {
    std::string name{};  ///< the attribute name, namespace included ("user.x")
    std::string value{}; ///< the value, any bytes
};

/// The fields of an entry header, over a string type and an attribute list type (see entry_info).
template <class Text, class Attributes>
struct basic_entry_info {
    Text pathname{};                       ///< the name inside the archive (required, UTF-8)
    entry_type type = entry_type::regular; ///< what the entry is
    unsigned perms = 0644;                 ///< permission bits (the type bits come from `type`)
    std::optional<std::int64_t> size{};    ///< data size; writer::add takes it from the data instead
    std::optional<entry_time> mtime{};     ///< modification time
    std::optional<entry_time> atime{};     ///< access time
    std::optional<entry_time> ctime{};     ///< status-change time
    std::optional<entry_time> birthtime{}; ///< creation time
    std::optional<std::int64_t> uid{};     ///< numeric owner
    std::optional<std::int64_t> gid{};     ///< numeric group
    Text uname{};                          ///< owner name; empty means none
    Text gname{};                          ///< group name; empty means none
    Text symlink{};                        ///< the target, for entry_type::symlink
    Text hardlink{};                       ///< the earlier entry linked to, for entry_type::hardlink
    Attributes xattrs{};                   ///< extended attributes (kept by pax, among others)
};

/// The header of an entry to write, meant for designated initializers; unset fields stay unset.
using entry_info = basic_entry_info<std::string, std::vector<xattr_info>>;

namespace detail {

// Times before 1970 need floor division: -0.5 s is (-1 s, +500000000 ns).
[[nodiscard]] inline std::int64_t seconds_of(entry_time t) {
    return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}
[[nodiscard]] inline long nanoseconds_of(entry_time t) {
    return static_cast<long>((t - std::chrono::floor<std::chrono::seconds>(t)).count());
}

/// `seconds` + `nanoseconds` as an entry_time, or nullopt when it lies outside entry_time's
/// range (about 292 years either side of 1970): a pax header can say mtime=100000000000.
[[nodiscard]] inline std::optional<entry_time> time_of(std::int64_t seconds, long nanoseconds) noexcept {
    std::int64_t ns = 0;
    if (__builtin_mul_overflow(seconds, std::int64_t{1'000'000'000}, &ns) ||
        __builtin_add_overflow(ns, std::int64_t{nanoseconds}, &ns))
        return std::nullopt;
    return entry_time(std::chrono::nanoseconds(ns));
}

/// Sets on `e` every field `info` (an entry_info or the writer's borrowed mirror of it) sets;
/// `keep_bytes`: the names are right as their bytes in the thread's locale (see set_name).
template <class Info>
[[gnu::always_inline]] inline void assign_entry(::archive_entry* e, Info const& info, bool keep_bytes = false) {
    set_name<archive_entry_set_pathname_utf8, archive_entry_copy_pathname>(e, info.pathname.c_str(), keep_bytes);
    archive_entry_set_filetype(e, mode_bits(info.type));
    archive_entry_set_perm(e, static_cast<__LA_MODE_T>(info.perms & 07777));
    if (info.size) archive_entry_set_size(e, *info.size);
    if (info.mtime) archive_entry_set_mtime(e, seconds_of(*info.mtime), nanoseconds_of(*info.mtime));
    if (info.atime) archive_entry_set_atime(e, seconds_of(*info.atime), nanoseconds_of(*info.atime));
    if (info.ctime) archive_entry_set_ctime(e, seconds_of(*info.ctime), nanoseconds_of(*info.ctime));
    if (info.birthtime) archive_entry_set_birthtime(e, seconds_of(*info.birthtime), nanoseconds_of(*info.birthtime));
    if (info.uid) archive_entry_set_uid(e, *info.uid);
    if (info.gid) archive_entry_set_gid(e, *info.gid);
    if (!info.uname.empty())
        set_name<archive_entry_set_uname_utf8, archive_entry_copy_uname>(e, info.uname.c_str(), keep_bytes);
    if (!info.gname.empty())
        set_name<archive_entry_set_gname_utf8, archive_entry_copy_gname>(e, info.gname.c_str(), keep_bytes);
    if (!info.symlink.empty())
        set_name<archive_entry_set_symlink_utf8, archive_entry_copy_symlink>(e, info.symlink.c_str(), keep_bytes);
    if (!info.hardlink.empty())
        set_name<archive_entry_set_hardlink_utf8, archive_entry_copy_hardlink>(e, info.hardlink.c_str(), keep_bytes);
    for (xattr_info const& x : info.xattrs)
        archive_entry_xattr_add_entry(e, x.name.c_str(), x.value.data(), x.value.size());
}

/// Whether every name `info` sets is ASCII, so that no locale can misread it.
template <class Info>
[[nodiscard]] [[gnu::always_inline]] inline bool names_are_ascii(Info const& info) noexcept {
    auto const ascii = [](auto const& text) { return text.empty() || is_ascii(text.c_str()); };
    return ascii(info.pathname) && ascii(info.uname) && ascii(info.gname) && ascii(info.symlink) &&
           ascii(info.hardlink);
}

/// Whether an entry described by `info` holds data: a regular file that is not a hard link.
template <class Info>
[[nodiscard]] bool carries_data(Info const& info) noexcept {
    return mode_bits(info.type) == AE_IFREG && info.hardlink.empty();
}

} // namespace detail

/// An owned archive_entry: full control over a header, copyable (copies are deep).
class entry {
public:
    /// An empty header.
    entry() : handle_(archive_entry_new()) {
        if (!handle_) throw std::bad_alloc();
    }

    /// A header holding everything `info` sets.
    template <class Deferred = void>
    explicit entry(entry_info const& info) : entry() {
        assign<Deferred>(info);
    }

    /// A deep copy of a borrowed header, such as a reader's entry_view (anything with native_handle()).
    template <class View>
    requires requires(View const& v) {
        { v.native_handle() } -> std::convertible_to<::archive_entry*>;
    }
    explicit entry(View const& view) : entry(copy_of(view.native_handle())) {}

    /// A deep copy of the archive_entry `source` (not taken over: the caller still owns it).
    [[nodiscard]] static entry copy_of(::archive_entry* source) {
        if (source == nullptr) throw detail::make_error(errc::invalid_argument, "entry", "no entry to copy");
        return entry(detail::entry_handle(archive_entry_clone(source)));
    }

    /// A deep copy of `other`.
    entry(entry const& other) : entry(copy_of(other.native_handle())) {}
    /// Replaces this header with a deep copy of `other`.
    entry& operator=(entry const& other) {
        if (this != &other) *this = copy_of(other.native_handle());
        return *this;
    }
    /// Takes over the header of `other`, which is left empty (every use of it fails).
    entry(entry&&) noexcept = default;
    /// Takes over the header of `other`.
    entry& operator=(entry&&) noexcept = default;
    ~entry() = default;

    /// Sets every field `info` sets; fields it leaves unset keep their current value.
    template <class Deferred = void>
    void assign(entry_info const& info) {
        // Dependent: entry_info's containers and assign_entry are compiled only where used (config.hpp).
        detail::assign_entry(raw(), static_cast<cbound::detail::dependent_t<Deferred, entry_info> const&>(info));
    }

    /// The name inside the archive; empty when unset or not representable.
    [[nodiscard]] std::string pathname() const {
        char const* p = archive_entry_pathname_utf8(raw());
        if (p == nullptr) p = archive_entry_pathname(raw());
        return p != nullptr ? p : std::string();
    }
    /// Sets the name inside the archive (UTF-8).
    void set_pathname(std::string const& name) {
        detail::set_name<archive_entry_set_pathname_utf8, archive_entry_copy_pathname>(raw(), name.c_str());
    }

    /// The entry type (hardlink when a hardlink target is set).
    [[nodiscard]] entry_type type() const {
        if (archive_entry_hardlink(raw()) != nullptr) return entry_type::hardlink;
        return entry_type_from_mode(archive_entry_filetype(raw()));
    }
    /// Sets the entry type; hardlink is stored as a regular file with a hardlink target.
    void set_type(entry_type t) { archive_entry_set_filetype(raw(), mode_bits(t)); }

    /// The permission bits.
    [[nodiscard]] unsigned perms() const { return archive_entry_perm(raw()); }
    /// Sets the permission bits.
    void set_perms(unsigned perms) { archive_entry_set_perm(raw(), static_cast<__LA_MODE_T>(perms & 07777)); }

    /// The declared data size, if set.
    [[nodiscard]] std::optional<std::int64_t> size() const {
        if (archive_entry_size_is_set(raw()) == 0) return std::nullopt;
        return archive_entry_size(raw());
    }
    /// Declares the data size (the writer holds the data to it exactly).
    void set_size(std::int64_t size) { archive_entry_set_size(raw(), size); }

    /// The modification time, if set; throws errc::limit_exceeded when it lies outside entry_time's range.
    [[nodiscard]] std::optional<entry_time> mtime() const {
        if (archive_entry_mtime_is_set(raw()) == 0) return std::nullopt;
        return join(archive_entry_mtime(raw()), archive_entry_mtime_nsec(raw()));
    }
    /// Sets the modification time.
    void set_mtime(entry_time t) { archive_entry_set_mtime(raw(), detail::seconds_of(t), detail::nanoseconds_of(t)); }
    /// Sets the access time.
    void set_atime(entry_time t) { archive_entry_set_atime(raw(), detail::seconds_of(t), detail::nanoseconds_of(t)); }
    /// Sets the status-change time.
    void set_ctime(entry_time t) { archive_entry_set_ctime(raw(), detail::seconds_of(t), detail::nanoseconds_of(t)); }
    /// Sets the creation time.
    void set_birthtime(entry_time t) {
        archive_entry_set_birthtime(raw(), detail::seconds_of(t), detail::nanoseconds_of(t));
    }

    /// Sets the owner's id and name ("" stores no name, as --numeric-owner).
    void set_owner(std::int64_t uid, std::string const& name = {}) {
        archive_entry_set_uid(raw(), uid);
        if (name.empty())
            archive_entry_set_uname(raw(), nullptr);
        else
            detail::set_name<archive_entry_set_uname_utf8, archive_entry_copy_uname>(raw(), name.c_str());
    }
    /// Sets the group's id and name ("" stores no name).
    void set_group(std::int64_t gid, std::string const& name = {}) {
        archive_entry_set_gid(raw(), gid);
        if (name.empty())
            archive_entry_set_gname(raw(), nullptr);
        else
            detail::set_name<archive_entry_set_gname_utf8, archive_entry_copy_gname>(raw(), name.c_str());
    }

    /// Adds an extended attribute.
    void add_xattr(std::string const& name, std::string_view value) {
        archive_entry_xattr_add_entry(raw(), name.c_str(), value.data(), value.size());
    }

    /// The owned archive_entry*, for anything cbound does not wrap; stays owned by this object.
    [[nodiscard]] ::archive_entry* native_handle() const noexcept { return handle_.get(); }

private:
    explicit entry(detail::entry_handle h) : handle_(std::move(h)) {
        if (!handle_) throw std::bad_alloc();
    }

    ::archive_entry* raw() const {
        if (!handle_) throw detail::make_error(errc::handle_unusable, "entry", "the entry was moved from");
        return handle_.get();
    }

    entry_time join(std::int64_t seconds, long nanoseconds) const {
        if (auto t = detail::time_of(seconds, nanoseconds)) return *t;
        throw detail::make_error(errc::limit_exceeded, "mtime",
                                 "the time " + std::to_string(seconds) + " s lies outside entry_time's range",
                                 text_or_empty(archive_entry_pathname(raw())));
    }
    static std::string_view text_or_empty(char const* s) noexcept { return s != nullptr ? s : ""; }

    detail::entry_handle handle_;
};

} // namespace cbound::archive
