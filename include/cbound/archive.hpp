// cbound — umbrella header for the libarchive binding.
#pragma once

#include <cbound/cbound.hpp>

#include <cbound/archive/error.hpp>
#include <cbound/archive/extract.hpp>
#include <cbound/archive/features.hpp>
#include <cbound/archive/mode_string.hpp>
#include <cbound/archive/policy_names.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/archive/tarball.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/archive/writer.hpp>
