#!/usr/bin/env bash
# Installs a machine's package on a Raspberry Pi over ssh and starts its service:
#   bash cross/deploy.sh [--dry-run] USER@HOST MACHINE
# MACHINE: comic, lantern or polargraph. The package is picked by the Pi's Debian architecture
# (`dpkg --print-architecture`: arm64 or armhf; not `uname -m`, which says aarch64 for a 32-bit
# OS on a 64-bit kernel) from target/debian/, built by cross/package.sh (run it first, with
# --target armv7-unknown-linux-gnueabihf for a 32-bit Pi OS). --dry-run asks the Pi nothing and
# changes nothing: it prints every step it would run.
# ATELIER_DEBS=DIR looks for packages in DIR instead of target/debian.
set -euo pipefail
cd "$(dirname "$0")/.."
dry_run=false
args=()
for arg in "$@"; do
    case "$arg" in
    --dry-run) dry_run=true ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "deploy.sh: unknown option '$arg' (--dry-run, --help)" >&2; exit 2 ;;
    *) args+=("$arg") ;;
    esac
done
[ ${#args[@]} -eq 2 ] || { echo "usage: deploy.sh [--dry-run] USER@HOST comic|lantern|polargraph" >&2; exit 2; }
host=${args[0]}
machine=${args[1]}
case "$machine" in
comic | lantern | polargraph) ;;
*) echo "deploy.sh: unknown machine '$machine': comic, lantern or polargraph" >&2; exit 2 ;;
esac
debs=${ATELIER_DEBS:-target/debian}

step() {
    printf '+ %s\n' "$*"
    $dry_run || "$@"
}

if $dry_run; then
    printf '+ %s\n' "ssh $host dpkg --print-architecture"
    echo "  (dry run: the package for that architecture, arm64 or armhf, from $debs)"
    architecture="ARCH"
    deb="$debs/atelier-${machine}_VERSION_ARCH.deb"
else
    architecture=$(ssh "$host" dpkg --print-architecture)
    case "$architecture" in
    arm64 | armhf) ;;
    *) echo "deploy.sh: $host runs a Debian '$architecture' system: Atelier packages are arm64 or armhf" >&2; exit 1 ;;
    esac
    deb=$(ls -t "$debs"/atelier-"${machine}"_*_"$architecture".deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        target=aarch64-unknown-linux-gnu
        [ "$architecture" = armhf ] && target=armv7-unknown-linux-gnueabihf
        echo "deploy.sh: no $architecture package of $machine in $debs: bash cross/package.sh --target $target $machine" >&2
        exit 1
    fi
    echo "$host is $architecture: $deb"
fi
name=$(basename "$deb")
step scp "$deb" "$host:/tmp/$name"
step ssh "$host" sudo apt-get install -y "/tmp/$name"
step ssh "$host" rm -f "/tmp/$name"
step ssh "$host" sudo systemctl enable --now "atelier-$machine"
step ssh "$host" /usr/lib/atelier/setup-check-"$machine" || true
if $dry_run; then
    echo "dry run: nothing was asked or changed"
else
    echo "deployed: ssh $host journalctl -u atelier-$machine -f shows its log"
fi
