#!/usr/bin/env bash
# Installs what building and checking the Pi packages needs, beyond cross/setup-debian.sh:
# cargo-deb (from crates.io, pinned), and systemd's systemd-analyze for checking the units.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cargo_deb_version=3.8.0
if ! cargo deb --version 2>/dev/null | grep -q "$cargo_deb_version"; then
    cargo install cargo-deb --locked --version "$cargo_deb_version"
fi
if ! command -v systemd-analyze >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq systemd >/dev/null
fi
