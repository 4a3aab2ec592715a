#!/bin/sh
# The card's first-run step when Raspberry Pi Imager wrote no customisation: started once by
# the kernel command line (systemd.run=), then removes itself from it.
set -eu
here=$(dirname "$0")
sh "$here/firstrun-hook.sh"
boot=$(dirname "$here")
sed -i 's| systemd.run=[^ ]*atelier/firstrun.sh systemd.run_success_action=reboot systemd.unit=kernel-command-line.target||' "$boot/cmdline.txt"
exit 0
