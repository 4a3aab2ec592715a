#!/bin/sh
# Run once by atelier-firstboot.service at the first boot of a card cross/sdcard.sh prepared:
# installs the packages copied beside it, offline (their dependencies ship with Pi OS), does
# what the machines need that the boot partition cannot hold, then switches itself off.
set -eu
here=$(dirname "$0")
log=/var/log/atelier-firstboot.log
{
    echo "atelier first boot: $(date)"
    dpkg --install "$here"/*.deb
    for machine in $(cat "$here/machines"); do
        case "$machine" in
        lantern) systemctl disable getty@tty1.service || true ;; # no login prompt over the picture
        esac
    done
    mkdir -p "$here/installed"
    mv "$here"/*.deb "$here/installed/"
    systemctl disable atelier-firstboot.service
    rm -f /etc/systemd/system/atelier-firstboot.service
    echo "atelier first boot: done"
} >>"$log" 2>&1
