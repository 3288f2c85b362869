# Shared by the scripts: the Debian packages the project needs, installed
# only when missing (idempotent; sudo only when not root).
# shellcheck shell=bash

BUILD_PACKAGES=(gcc libc6-dev make cmake pkg-config
    libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libcurl4-openssl-dev libcjson-dev
    libinih-dev libunibreak-dev libfontconfig-dev libssl-dev libqrencode-dev libsystemd-dev)
RUNTIME_PACKAGES=(fonts-morisawa-bizud-gothic tzdata)
TEST_PACKAGES=(valgrind xvfb xauth x11-apps imagemagick python3 python3-jsonschema openssl)

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

# configure_and_build DIR [cmake options...]
configure_and_build() {
    local dir=$1; shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j "$(nproc)"
}
