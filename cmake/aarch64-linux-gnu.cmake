# Cross-building for the Raspberry Pi (Debian 12 arm64) with Debian's
# crossbuild-essential-arm64 and the multiarch -dev:arm64 packages
# (scripts/lib.sh arm64_setup installs them). Programs run under qemu-user.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# pkg-config: the arm64 libraries only. libunibreak is not multiarch in
# Debian 12 (its arm64 package would replace the amd64 one), so arm64_setup
# unpacks it into build-arm64-extra/ with a .pc file of its own.
get_filename_component(_misato_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(ENV{PKG_CONFIG_LIBDIR}
    "${_misato_root}/build-arm64-extra/pkgconfig:/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
