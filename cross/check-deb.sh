#!/usr/bin/env bash
# Checks a machine's package as CI does: control fields, contents against the checkout, the
# conffiles, the maintainer scripts, the packaged binary running under qemu, the packaged
# library loading from where the package puts it, and the systemd unit verified against the
# unpacked package.
#   bash cross/check-deb.sh MACHINE target/debian/atelier-MACHINE_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
machine=${1:?usage: check-deb.sh MACHINE DEB}
deb=${2:?usage: check-deb.sh MACHINE DEB}
package="atelier-$machine"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-deb: $deb: $*" >&2; exit 1; }
field() { dpkg-deb -f "$deb" "$1"; }

# Control fields.
[ "$(field Package)" = "$package" ] || fail "Package is '$(field Package)', not $package"
architecture=$(field Architecture)
case "$architecture" in
arm64) qemu="qemu-aarch64 -L /usr/aarch64-linux-gnu" ;;
armhf) qemu="qemu-arm -L /usr/arm-linux-gnueabihf" ;;
*) fail "Architecture is '$architecture': a Pi package is arm64 or armhf" ;;
esac
version=$(cargo metadata --no-deps --format-version 1 | python3 -c "
import json, sys
print(next(p['version'] for p in json.load(sys.stdin)['packages'] if p['name'] == '$machine'))")
[[ "$(field Version)" == "$version"* ]] || fail "Version '$(field Version)' is not the crate's $version"
field Depends | grep -Eq 'libc6(:[a-z0-9]+)? \(>= 2\.[0-9]+\)' || fail "Depends lacks the glibc floor: '$(field Depends)'"
field Depends | grep -q systemd || fail "Depends lacks systemd: '$(field Depends)'"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ -n "$(field Description)" ] || fail "no Description"

# Contents: what every machine's package holds.
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/contents"
has() { grep -qx "$1" "$work/contents" || fail "does not hold $1"; }
has "/usr/bin/$machine"
has "/etc/atelier/$machine.toml"
has "/usr/lib/atelier/setup-check-$machine"
has "/usr/lib/sysusers.d/$package.conf"
has "/etc/avahi/services/$package.service"
unit=$(grep -E "^/(usr/)?lib/systemd/system/$package\.service$" "$work/contents") || fail "holds no $package.service"

# The conffiles: the defaults only, which the daemons never rewrite.
dpkg-deb -e "$deb" "$work/control"
grep -qx "/etc/atelier/$machine.toml" "$work/control/conffiles" || fail "/etc/atelier/$machine.toml is not a conffile"
! grep -v '^/etc/' "$work/control/conffiles" || fail "a conffile outside /etc"
grep -q "deb-systemd-helper" "$work/control/postinst" || fail "postinst does not enable the unit"
grep -q "systemd-sysusers" "$work/control/postinst" || fail "postinst does not create the atelier user"
grep -q "setup-check-$machine" "$work/control/postinst" || fail "postinst does not run the setup check"

# Unpacked: the binary runs under qemu, and the package's own defaults and assets work.
root="$work/root"
dpkg-deb -x "$deb" "$root"
cmp -s "$root/etc/atelier/$machine.toml" "hardware/$machine.toml" || fail "/etc/atelier/$machine.toml differs from hardware/$machine.toml"
$qemu "$root/usr/bin/$machine" --version | grep -q "$version" || fail "the packaged binary does not run under ${qemu%% *}"
case "$machine" in
comic)
    # Every grid and piece of art of the checkout, where the package says the assets are.
    for folder in grids art; do
        (cd assets/comic && find "$folder" -type f | sort) >"$work/checkout-$folder"
        (cd "$root/usr/share/atelier/comic" && find "$folder" -type f | sort) >"$work/packaged-$folder"
        diff "$work/checkout-$folder" "$work/packaged-$folder" >&2 || fail "assets/comic/$folder differs from /usr/share/atelier/comic/$folder"
    done
    has /usr/share/polkit-1/rules.d/60-atelier-comic.rules
    has /usr/lib/udev/rules.d/70-atelier-usb-printers.rules
    # The robot loads its library from the packaged assets with the packaged defaults.
    report=$(RUST_LOG=warn ATELIER_ASSETS_DIR="$root/usr/share/atelier" ATELIER_STATE_DIR="$work/state" \
        $qemu "$root/usr/bin/comic" --config "$root/etc/atelier/comic.toml" check) ||
        fail "comic check fails on the packaged library: $report"
    grep -q "grid" <<<"$report" || fail "comic check said nothing of grids: $report"
    ;;
lantern)
    # The packaged defaults parse, every app and surface in them included.
    shown=$(RUST_LOG=warn $qemu "$root/usr/bin/lantern" config --config "$root/etc/atelier/lantern.toml" \
        --state "$work/state") || fail "lantern config fails on the packaged defaults: $shown"
    grep -q "space-porthole" <<<"$shown" || fail "lantern config did not show the default apps: $shown"
    ;;
polargraph)
    (cd assets/plotter && find . -name '*.png' | sort) >"$work/checkout-samples"
    (cd "$root/usr/share/atelier/plotter" && find . -name '*.png' | sort) >"$work/packaged-samples"
    diff "$work/checkout-samples" "$work/packaged-samples" >&2 || fail "the sample pictures differ from assets/plotter"
    grep -q "^LimitRTPRIO=" "$root$unit" || fail "$unit does not allow real-time priority"
    # The packaged defaults parse.
    shown=$(RUST_LOG=warn ATELIER_STATE_DIR="$work/state" $qemu "$root/usr/bin/polargraph" config \
        --config "$root/etc/atelier/polargraph.toml") || fail "polargraph config fails on the packaged defaults: $shown"
    grep -q "left_step" <<<"$shown" || fail "polargraph config did not show the pins: $shown"
    ;;
esac

# The unit, verified against the unpacked package: systemd-analyze needs the targets it names.
mkdir -p "$root/usr/lib/systemd/system"
cp /lib/systemd/system/*.target "$root/usr/lib/systemd/system/" 2>/dev/null || true
verify=$(systemd-analyze verify --root="$root" "${unit#/}" 2>&1) || fail "systemd-analyze verify: $verify"
# An unknown key is only a warning there; here it fails.
if grep -E "Unknown (key|section)|Invalid|Failed to parse" <<<"$verify"; then
    fail "systemd-analyze verify complains about $unit"
fi
echo "check-deb: $deb: $package $(field Version) $architecture: fields, contents, conffiles, scripts, binary under qemu and unit all good"
