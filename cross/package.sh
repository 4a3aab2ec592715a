#!/usr/bin/env bash
# Builds the Raspberry Pi packages with cargo-deb:
#   bash cross/package.sh [--target TRIPLE] [MACHINE...]
# TRIPLE: aarch64-unknown-linux-gnu (64-bit Pi OS, the default) or armv7-unknown-linux-gnueabihf
# (32-bit Pi OS). MACHINE: comic, lantern, polargraph (the default: all three).
# Each package lands in target/debian/ as atelier-MACHINE_VERSION-1_ARCH.deb; its contents are
# listed in cross/README.md. Needs cross/setup-debian.sh's compilers and cargo-deb
# (`cargo install cargo-deb --locked`; cross/setup-packaging.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
target=aarch64-unknown-linux-gnu
machines=()
while [ $# -gt 0 ]; do
    case "$1" in
    --target) target=${2:?--target needs a target triple}; shift 2 ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    comic | lantern | polargraph) machines+=("$1"); shift ;;
    *) echo "package.sh: unknown machine or option '$1' (machines: comic, lantern, polargraph; --target TRIPLE)" >&2; exit 2 ;;
    esac
done
[ ${#machines[@]} -gt 0 ] || machines=(comic lantern polargraph)
command -v cargo-deb >/dev/null || {
    echo "package.sh: cargo-deb is missing: bash cross/setup-packaging.sh (or cargo install cargo-deb --locked)" >&2
    exit 1
}
for machine in "${machines[@]}"; do
    cargo build --release --locked --target "$target" -p "$machine" --bin "$machine"
    cargo deb --no-build --locked --target "$target" -p "$machine" --output target/debian/
done
