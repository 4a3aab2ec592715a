#!/usr/bin/env bash
# Prepares an SD card freshly written with Raspberry Pi OS (Raspberry Pi Imager) for Atelier
# machines, through its boot partition mounted on this computer:
#   bash cross/sdcard.sh [--packages DIR] BOOT_PARTITION MACHINE...
# MACHINE: comic, lantern, polargraph. It copies each machine's arm64 package (from
# target/debian/, or DIR; build them with cross/package.sh) and a first-boot step that installs
# them offline, extending (never replacing) Imager's own first-run script or cloud-init
# user-data; and it writes what each machine needs into config.txt and cmdline.txt:
#   comic       the UART for a serial printer (enable_uart=1), the login console off it
#   lantern     I2C (dtparam=i2c_arm=on); a forced HDMI mode (projectors are switched on after
#               boot), no console cursor or blanking; the login prompt on tty1 switched off
#   polargraph  hardware PWM for the pen servo on GPIO18 (dtoverlay=pwm)
# Running it again changes nothing more. ATELIER_HDMI_MODE sets the lamp's mode
# (default 1280x720@60, the shipped lantern.toml's picture).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
packages="$here/../target/debian"
while [ $# -gt 0 ]; do
    case "$1" in
    --packages) packages=${2:?--packages needs a folder}; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "sdcard.sh: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
    esac
done
boot=${1:?usage: sdcard.sh [--packages DIR] BOOT_PARTITION MACHINE...}
shift
[ $# -gt 0 ] || { echo "sdcard.sh: name at least one machine: comic, lantern, polargraph" >&2; exit 2; }
config="$boot/config.txt"
cmdline="$boot/cmdline.txt"
[ -f "$config" ] && [ -f "$cmdline" ] || {
    echo "sdcard.sh: $boot is not a Raspberry Pi OS boot partition (no config.txt and cmdline.txt)" >&2
    exit 1
}
for machine in "$@"; do
    case "$machine" in
    comic | lantern | polargraph) ;;
    *) echo "sdcard.sh: unknown machine '$machine': comic, lantern or polargraph" >&2; exit 2 ;;
    esac
    ls "$packages"/atelier-"$machine"_*_arm64.deb >/dev/null 2>&1 || {
        echo "sdcard.sh: no arm64 package of $machine in $packages: bash cross/package.sh $machine" >&2
        exit 1
    }
done

# The packages and the first-boot step.
mkdir -p "$boot/atelier"
for machine in "$@"; do
    rm -f "$boot/atelier/atelier-${machine}"_*.deb
    cp "$(ls -t "$packages"/atelier-"$machine"_*_arm64.deb | head -n 1)" "$boot/atelier/"
    grep -qx "$machine" "$boot/atelier/machines" 2>/dev/null || echo "$machine" >>"$boot/atelier/machines"
done
cp "$here/firstboot/"* "$boot/atelier/"

# The hook, from whichever first-run step the card has.
hook='for d in /boot/firmware /boot; do if [ -f "$d/atelier/firstrun-hook.sh" ]; then sh "$d/atelier/firstrun-hook.sh"; break; fi; done'
if [ -f "$boot/firstrun.sh" ]; then
    # Imager's script (Bookworm): our line goes before it deletes itself.
    if ! grep -q "atelier/firstrun-hook.sh" "$boot/firstrun.sh"; then
        python3 - "$boot/firstrun.sh" "$hook" <<'PY'
import sys
path, hook = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
at = next((i for i, l in enumerate(lines) if l.startswith("rm -f") and "firstrun.sh" in l), None)
if at is None:
    at = next((i for i, l in enumerate(lines) if l.strip() == "exit 0"), len(lines))
lines[at:at] = ["# Atelier: install the machines' packages at the next boot (cross/sdcard.sh)", hook]
open(path, "w").write("\n".join(lines))
PY
    fi
    echo "first boot: added to Imager's firstrun.sh"
elif [ -f "$boot/user-data" ]; then
    # cloud-init (Imager for Trixie and later): one more runcmd entry.
    if ! grep -q "atelier/firstrun-hook.sh" "$boot/user-data"; then
        entry="  - [sh, -c, '$hook']"
        if grep -q '^runcmd:' "$boot/user-data"; then
            python3 - "$boot/user-data" "$entry" <<'PY'
import sys
path, entry = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
at = lines.index("runcmd:") + 1
while at < len(lines) and (lines[at].startswith(" ") or lines[at].startswith("-")):
    at += 1
lines[at:at] = [entry]
open(path, "w").write("\n".join(lines))
PY
        else
            printf '\nruncmd:\n%s\n' "$entry" >>"$boot/user-data"
        fi
    fi
    echo "first boot: added to cloud-init's user-data"
else
    # No customisation from Imager: our own first-run step, started by the kernel command line.
    if ! grep -q "atelier/firstrun.sh" "$cmdline"; then
        sed -i '1s|$| systemd.run=/boot/firmware/atelier/firstrun.sh systemd.run_success_action=reboot systemd.unit=kernel-command-line.target|' "$cmdline"
    fi
    echo "first boot: atelier/firstrun.sh on the kernel command line"
fi

# config.txt: settings appended once, in an [all] section of their own.
set_config() {
    local line=$1
    if ! sed 's/[[:space:]]//g' "$config" | grep -qx "$(tr -d '[:space:]' <<<"$line")"; then
        if ! grep -q '^# Atelier (cross/sdcard.sh)' "$config"; then
            printf '\n[all]\n# Atelier (cross/sdcard.sh)\n' >>"$config"
        fi
        echo "$line" >>"$config"
        echo "config.txt: $line"
    fi
}
# cmdline.txt is one line: words added at its end, or taken out.
add_word() {
    local word=$1
    if ! tr ' ' '\n' <"$cmdline" | grep -qx -- "$word"; then
        sed -i "1s|\$| $word|" "$cmdline"
        echo "cmdline.txt: + $word"
    fi
}
remove_words() {
    local pattern=$1
    if tr ' ' '\n' <"$cmdline" | grep -Eqx -- "$pattern"; then
        local kept removed
        removed=$(head -n 1 "$cmdline" | tr ' ' '\n' | grep -Ex -- "$pattern" | tr '\n' ' ')
        kept=$(head -n 1 "$cmdline" | tr ' ' '\n' | grep -Evx -- "$pattern" | tr '\n' ' ' | sed 's/ *$//')
        printf '%s\n' "$kept" >"$cmdline"
        echo "cmdline.txt: - ${removed% }"
    fi
}

mode=${ATELIER_HDMI_MODE:-1280x720@60}
for machine in "$@"; do
    case "$machine" in
    comic)
        set_config "enable_uart=1"
        remove_words 'console=(serial0|ttyAMA0|ttyS0),[0-9]+'
        ;;
    lantern)
        set_config "dtparam=i2c_arm=on"
        if ! tr ' ' '\n' <"$cmdline" | grep -qx -- "video=HDMI-A-1:${mode}D"; then
            remove_words 'video=HDMI-A-1:[^ ]*'
            add_word "video=HDMI-A-1:${mode}D"
        fi
        add_word "vt.global_cursor_default=0"
        add_word "consoleblank=0"
        ;;
    polargraph)
        set_config "dtoverlay=pwm"
        ;;
    esac
done
echo "ready: put the card in the Pi; the first boot installs $(tr '\n' ' ' <"$boot/atelier/machines")(log: /var/log/atelier-firstboot.log)"
