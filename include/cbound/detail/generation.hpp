// cbound — the names the libarchive binding used before checked views were public.
// New code includes <cbound/checked_view.hpp> and uses cbound::generation directly.
#pragma once

#include <cbound/checked_view.hpp>

namespace cbound::detail {

/// The owner side of a checked view (see <cbound/checked_view.hpp>).
using generation = cbound::generation;
/// The view side of a checked view (see <cbound/checked_view.hpp>).
using generation_stamp = cbound::generation_stamp;
/// Reports a stale view and aborts (see <cbound/checked_view.hpp>).
using cbound::stale_view;

} // namespace cbound::detail
