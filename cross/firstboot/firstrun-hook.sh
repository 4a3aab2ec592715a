#!/bin/sh
# Called from the card's first-run step (Raspberry Pi Imager's firstrun.sh or cloud-init's
# runcmd, or our own when the card has neither): puts atelier-firstboot.service in place, which
# installs the packages once the system is fully up.
# ATELIER_ROOT=DIR works on DIR as if it were / (the tests).
set -eu
here=$(dirname "$0")
root=${ATELIER_ROOT:-}
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
cp "$here/atelier-firstboot.service" "$root/etc/systemd/system/atelier-firstboot.service"
ln -sf /etc/systemd/system/atelier-firstboot.service \
    "$root/etc/systemd/system/multi-user.target.wants/atelier-firstboot.service"
