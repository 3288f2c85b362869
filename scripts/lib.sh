# Shared by the scripts: the Debian packages the project needs, installed
# only when missing (idempotent; sudo only when not root).
# shellcheck shell=bash

BUILD_PACKAGES=(gcc libc6-dev make cmake pkg-config
    libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libcurl4-openssl-dev libcjson-dev
    libinih-dev libunibreak-dev libfontconfig-dev libssl-dev libqrencode-dev libsystemd-dev libjpeg-dev
    libmicrohttpd-dev zlib1g-dev libdrm-dev libx11-dev libxext-dev)
RUNTIME_PACKAGES=(fonts-morisawa-bizud-gothic fonts-noto-color-emoji tzdata)
TEST_PACKAGES=(valgrind xvfb xauth x11-apps imagemagick python3 python3-jsonschema openssl
    dpkg-dev lintian systemd systemd-container mmdebstrap chromium python3-websocket
    qemu-system-x86 qemu-utils mtools dosfstools libxdamage-dev
    prometheus-node-exporter nginx-light)
# scripts/test-device --arm64: the Raspberry Pi's kind of machine, emulated.
DEVICE_ARM64_PACKAGES=(qemu-system-arm qemu-user-static arch-test)

step() { printf '\n== %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages PKG...: installs those not installed yet.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    step "Installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
}

# The options of the normal build in build/, given in full by every script
# that configures it: CMake keeps a cache, and an option one script left
# there (scripts/run once set MISATO_TESTS=OFF) must not change what another
# builds (scripts/test then found no tests and passed).
NORMAL_BUILD=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMISATO_WERROR=ON -DMISATO_SANITIZE=OFF
    -DMISATO_TESTS=ON -DMISATO_VALGRIND=ON -DMISATO_FUZZ=OFF)

# configure_and_build DIR [cmake options...]
configure_and_build() {
    local dir=$1; shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j "$(nproc)"
}

# The arm64 build's needs (scripts/test-arm64, scripts/package arm64): the
# cross compiler, qemu-user, and the arm64 -dev packages. libunibreak is not
# multiarch in Debian 12: installing libunibreak-dev:arm64 would remove the
# amd64 one, so its arm64 files are unpacked into build-arm64-extra/ instead.
ARM64_DEV_PACKAGES=(libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libcurl4-openssl-dev libcjson-dev
    libinih-dev libfontconfig-dev libssl-dev libqrencode-dev libsystemd-dev libjpeg62-turbo-dev
    libdrm-dev libx11-dev libxext-dev)
arm64_setup() {
    ensure_packages crossbuild-essential-arm64 qemu-user-static
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        step "Adding the arm64 architecture to dpkg"
        as_root dpkg --add-architecture arm64
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    fi
    local p pkgs=()
    for p in "${ARM64_DEV_PACKAGES[@]}"; do pkgs+=("$p:arm64"); done
    ensure_packages "${pkgs[@]}"
    local extra=$PWD/build-arm64-extra
    if [ ! -f "$extra/pkgconfig/libunibreak.pc" ]; then
        step "Unpacking libunibreak for arm64 into $extra"
        rm -rf "$extra" && mkdir -p "$extra/debs" "$extra/root" "$extra/pkgconfig"
        (cd "$extra/debs" && apt-get download -q libunibreak1:arm64 libunibreak-dev:arm64)
        for p in "$extra"/debs/*.deb; do dpkg-deb -x "$p" "$extra/root"; done
        sed "s|^prefix=.*|prefix=$extra/root/usr|" "$extra/root/usr/lib/pkgconfig/libunibreak.pc" \
            > "$extra/pkgconfig/libunibreak.pc"
    fi
    # For programs run under qemu: the unpacked library comes first.
    export LD_LIBRARY_PATH=$extra/root/usr/lib
}
