// cbound — umbrella header for the core (needs no libarchive).
#pragma once

#include <cbound/config.hpp>
#include <cbound/posix.hpp>
#include <cbound/unique_resource.hpp>
