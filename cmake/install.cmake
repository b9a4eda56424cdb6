# cbound's install rules: headers, exported targets, package config and pkg-config files.
#
# Everything goes to architecture-independent places (the library is header-only), so one
# install serves every compiler and ABI. Each target has its own export file: a consumer
# that asks only for the core never loads a file that names LibArchive::LibArchive.

include(CMakePackageConfigHelpers)

set(CBOUND_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/cbound"
  CACHE STRING "Where cbound's CMake package files are installed (relative to the prefix)")
set(CBOUND_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig"
  CACHE STRING "Where cbound's pkg-config files are installed (relative to the prefix)")

install(TARGETS cbound_core EXPORT cbound-core-targets
  FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT cbound-core-targets
  NAMESPACE cbound::
  DESTINATION "${CBOUND_INSTALL_CMAKEDIR}")

if(TARGET cbound_archive)
  install(TARGETS cbound_archive EXPORT cbound-archive-targets
    FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
  install(EXPORT cbound-archive-targets
    NAMESPACE cbound::
    DESTINATION "${CBOUND_INSTALL_CMAKEDIR}")
endif()

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/cboundConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cboundConfig.cmake"
  INSTALL_DESTINATION "${CBOUND_INSTALL_CMAKEDIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/cboundConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)
install(FILES
    "${PROJECT_BINARY_DIR}/cboundConfig.cmake"
    "${PROJECT_BINARY_DIR}/cboundConfigVersion.cmake"
    "${CMAKE_CURRENT_LIST_DIR}/compression.cmake"
  DESTINATION "${CBOUND_INSTALL_CMAKEDIR}")

# pkg-config files find their prefix from their own location (${pcfiledir}), so an install
# moved elsewhere, or made with `cmake --install --prefix`, still points at its headers.
if(IS_ABSOLUTE "${CBOUND_INSTALL_PKGCONFIGDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(cbound_pc_prefix "${CMAKE_INSTALL_PREFIX}")
  set(cbound_pc_includedir "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH cbound_pc_up "/prefix/${CBOUND_INSTALL_PKGCONFIGDIR}" "/prefix")
  string(REGEX REPLACE "/$" "" cbound_pc_up "${cbound_pc_up}")
  set(cbound_pc_prefix "\${pcfiledir}/${cbound_pc_up}")
  set(cbound_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
set(cbound_pc_files cbound)
if(TARGET cbound_archive)
  list(APPEND cbound_pc_files cbound-archive)
endif()
foreach(pc IN LISTS cbound_pc_files)
  configure_file("${CMAKE_CURRENT_LIST_DIR}/${pc}.pc.in" "${PROJECT_BINARY_DIR}/${pc}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/${pc}.pc" DESTINATION "${CBOUND_INSTALL_PKGCONFIGDIR}")
endforeach()
