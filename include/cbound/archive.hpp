// cbound — umbrella header for the libarchive binding.
#pragma once

#include <cbound/cbound.hpp>

#include <cbound/archive/block.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/extract.hpp>
#include <cbound/archive/features.hpp>
#include <cbound/archive/mode_string.hpp>
#include <cbound/archive/policy_names.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/archive/sink.hpp>
#include <cbound/archive/source.hpp>
#include <cbound/archive/sparse_region.hpp>
#include <cbound/archive/tarball.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/archive/writer.hpp>
#include <cbound/archive/xattr.hpp>
