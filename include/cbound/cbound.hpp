// cbound — umbrella header for the core (needs no libarchive; works with -fno-exceptions,
// where posix.hpp's throwing open functions and checked() are left out).
#pragma once

#include <cbound/callback.hpp>
#include <cbound/checked_call.hpp>
#include <cbound/checked_view.hpp>
#include <cbound/config.hpp>
#include <cbound/cstring_view.hpp>
#include <cbound/out_ptr.hpp>
#include <cbound/posix.hpp>
#include <cbound/unique_resource.hpp>
