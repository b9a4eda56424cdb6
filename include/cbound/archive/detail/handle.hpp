// cbound::archive — owned libarchive handles (internal).
#pragma once

#include <cbound/unique_resource.hpp>

#include <archive.h>
#include <archive_entry.h>

namespace cbound::archive::detail {

// libarchive's free functions all accept NULL, so the destructors need no test.

/// An owned read handle (archive_read_new / archive_read_free).
using read_handle = unique_resource<::archive*, fn_deleter<&archive_read_free>, nullable_pointer_traits<::archive*>>;
/// An owned write or write-disk handle (archive_write_new / archive_write_free).
using write_handle = unique_resource<::archive*, fn_deleter<&archive_write_free>, nullable_pointer_traits<::archive*>>;
/// An owned entry (archive_entry_new / archive_entry_free).
using entry_handle =
    unique_resource<::archive_entry*, fn_deleter<&archive_entry_free>, nullable_pointer_traits<::archive_entry*>>;

} // namespace cbound::archive::detail
