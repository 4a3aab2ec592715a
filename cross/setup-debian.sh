#!/usr/bin/env bash
# Installs what building for the Pi and testing under qemu needs on a Debian/Ubuntu machine:
# the cross compilers and C libraries for arm64 and armhf, qemu-user, the Rust targets, and mpd
# for the lantern's now-playing tests.
# Safe to run again: it installs only what is missing.
set -euo pipefail

# mpd: the now-playing app's tests start a real Music Player Daemon.
packages=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user mpd)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

installed_targets=$(rustup target list --installed)
for target in aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf; do
    grep -qx "$target" <<<"$installed_targets" || rustup target add "$target"
done
installed_components=$(rustup component list --installed)
for component in clippy rustfmt; do
    grep -q "^$component" <<<"$installed_components" || rustup component add "$component"
done
