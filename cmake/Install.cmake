# `cmake --install` and `cpack -G DEB`: the parity toolchain (docs/toolchain.md), as component
# `toolchain`. The server has no install rules: it ships as an image (deploy/), not a package.
#
#   bin/            parity, parity-tidy, parity-lint (tools/lint), parity-tidy-to-sarif
#   lib/            libparity-checks.so (the clang-tidy-19 plugin; parity-lint looks in ../lib)
#   libexec/parity-toolchain/   parity-lint's helpers (tools/lib)
#   include/parity/ the annotation macros and the results writer
#   lib/cmake/ParityToolchain/  the CMake package
#   share/doc/parity-toolchain/ the toolchain guide, the check docs, the example and CI recipe

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PARITY_COMPONENT toolchain)
# Not CMAKE_INSTALL_LIBDIR: the plugin sits where parity-lint (bin/../lib) finds it.
set(PARITY_PLUGIN_DIR lib)
set(PARITY_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ParityToolchain)
# Installing or packaging the toolchain builds only what it installs (cmake --build --target
# parity-checks parity-tidy parity), not the whole server.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS parity-checks LIBRARY DESTINATION ${PARITY_PLUGIN_DIR} COMPONENT ${PARITY_COMPONENT})
install(TARGETS parity-tidy parity RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${PARITY_COMPONENT})
install(DIRECTORY parity/include/parity DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT ${PARITY_COMPONENT})
install(PROGRAMS tools/lint DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME parity-lint COMPONENT ${PARITY_COMPONENT})
# The installed converter carries its version (INSTALLED_VERSION); a checkout reads CMakeLists.txt.
configure_file(tools/tidy-to-sarif ${CMAKE_BINARY_DIR}/install/parity-tidy-to-sarif @ONLY)
install(PROGRAMS ${CMAKE_BINARY_DIR}/install/parity-tidy-to-sarif DESTINATION ${CMAKE_INSTALL_BINDIR}
        COMPONENT ${PARITY_COMPONENT})
# What tools/lint runs from tools/lib in a checkout it finds in libexec/parity-toolchain installed.
foreach(helper clang-compdb diff-select)
  if(EXISTS ${PROJECT_SOURCE_DIR}/tools/lib/${helper})
    install(PROGRAMS tools/lib/${helper} DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/parity-toolchain
            COMPONENT ${PARITY_COMPONENT})
  endif()
endforeach()
install(FILES docs/toolchain.md docs/parity.md DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/parity-toolchain
        COMPONENT ${PARITY_COMPONENT})
install(DIRECTORY docs/checks docs/ci docs/examples DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/parity-toolchain
        COMPONENT ${PARITY_COMPONENT})

configure_package_config_file(cmake/ParityToolchainConfig.cmake.in
  ${CMAKE_BINARY_DIR}/ParityToolchainConfig.cmake INSTALL_DESTINATION ${PARITY_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR PARITY_PLUGIN_DIR)
# The plugin is tied to one LLVM and the options may change between minor versions.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/ParityToolchainConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/ParityToolchainConfig.cmake ${CMAKE_BINARY_DIR}/ParityToolchainConfigVersion.cmake
        DESTINATION ${PARITY_CMAKE_DIR} COMPONENT ${PARITY_COMPONENT})

# cpack -G DEB: one package, parity-toolchain_<version>_<arch>.deb.
set(CPACK_PACKAGE_NAME parity-toolchain)
set(CPACK_PACKAGE_VENDOR "workspace-server")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Backend parity toolchain: parity-* clang-tidy checks, parity-lint, the parity tool")
set(CPACK_PACKAGE_CONTACT "workspace-server maintainers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL ${PARITY_COMPONENT})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_PACKAGE_NAME parity-toolchain)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Shared libraries from dpkg-shlibdeps (libclang-cpp19, libllvm19, libstdc++6...); what the
# scripts run by name: clang-tidy-19 (clang-tidy, run-clang-tidy-19), python3, git (--diff).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "clang-tidy-19, python3, git")
set(CPACK_STRIP_FILES ON)  # RelWithDebInfo binaries: the package carries no debug info
set(CPACK_GENERATOR DEB)
include(CPack)
