#!/usr/bin/env bash
# All of Atelier's tests, on a fresh machine with only Rust: installs what the tests need from
# the system's packages (Debian: mpd, for the lantern's now-playing test against a real Music
# Player Daemon; chromium and chromium-driver, for the companion page's browser test; Python's
# recurring-ical-events from PyPI, the calendar test's independent oracle), runs
# every test of every crate even when one fails, checks that the declared rust-version is
# honest, and ends with one summary.
#
#   bash tests/run.sh                                      # the whole suite
#   bash tests/run.sh --target aarch64-unknown-linux-gnu   # under qemu-user (cross/setup-debian.sh first)
#
# Arguments go to `cargo test`. Elsewhere than Debian, install mpd, Chromium and chromedriver
# with your package manager (Fedora: dnf install mpd chromium chromedriver; Arch: pacman -S mpd
# chromium).
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# The whole suite is built once per run; incremental caches for seventy test binaries would
# take gigabytes of disk for no gain. Set CARGO_INCREMENTAL=1 to keep them.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

needed_programs=(mpd chromium chromedriver)
needed_packages=(mpd chromium chromium-driver)

provision() {
    local missing=()
    for i in "${!needed_programs[@]}"; do
        command -v "${needed_programs[$i]}" >/dev/null 2>&1 || missing+=("${needed_packages[$i]}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "tests/run.sh: the tests need ${missing[*]}, which is not installed, and this is not" >&2
        echo "a Debian-like system: install it with your package manager and run again." >&2
        return 0
    fi
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "==> installing what the tests need: ${missing[*]}"
    # mpd's package would start a system-wide daemon where systemd runs; the test starts its
    # own, so the system one is left to the machine's owner.
    $sudo apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null ||
        echo "tests/run.sh: could not install ${missing[*]}; the tests that need it will fail" >&2
}

three_parts() {
    local version=$1
    while [ "$(tr -cd . <<<"$version" | wc -c)" -lt 2 ]; do version="$version.0"; done
    echo "$version"
}

# rust-version must be the highest minimum among the locked crates, or a user with an older
# toolchain gets a confusing build error instead of cargo's clear one.
check_rust_version() {
    local declared highest
    declared=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
    highest=$(cargo metadata --format-version 1 --locked --offline 2>/dev/null ||
        cargo metadata --format-version 1 --locked) || {
        echo "rust-version: cargo metadata failed" >&2
        return 1
    }
    highest=$(grep -o '"rust_version":"[0-9.]*"' <<<"$highest" | cut -d'"' -f4 | sort -V | tail -n1)
    if [ -z "$highest" ] || [ -z "$declared" ]; then
        echo "rust-version: could not read it (declared '$declared', locked crates '$highest')" >&2
        return 1
    fi
    # Compare as versions with three parts: 1.89 and 1.89.0 are the same minimum.
    local a b
    a=$(three_parts "$highest")
    b=$(three_parts "$declared")
    if [ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | tail -n1)" != "$b" ]; then
        echo "rust-version: Cargo.toml says $declared, but a locked crate needs $highest" >&2
        return 1
    fi
    echo "rust-version $declared: no locked crate needs more (highest: $highest)"
}

# The calendar corpus test compares the lamp with an independent implementation,
# recurring-ical-events from PyPI, in a Python environment of its own (pinned versions).
oracle_env="${CARGO_TARGET_DIR:-target}/calendar-oracle"
case "$oracle_env" in /*) ;; *) oracle_env="$PWD/$oracle_env" ;; esac
oracle_requirements=firmware/lantern/tests/calendars/requirements.txt
provision_calendar_oracle() {
    local stamp="$oracle_env/requirements.txt"
    if [ -x "$oracle_env/bin/python" ] && cmp -s "$oracle_requirements" "$stamp"; then
        return 0
    fi
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        echo "==> installing what the calendar oracle needs: python3 python3-venv"
        $sudo apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
                python3 python3-venv >/dev/null
    fi
    echo "==> preparing the calendar oracle in $oracle_env (recurring-ical-events, from PyPI)"
    rm -rf "$oracle_env"
    if python3 -m venv "$oracle_env" &&
        "$oracle_env/bin/python" -m pip install -q --disable-pip-version-check \
            -r "$oracle_requirements"; then
        cp "$oracle_requirements" "$stamp"
    else
        echo "tests/run.sh: could not prepare the calendar oracle; its test will fail" >&2
    fi
}

provision
provision_calendar_oracle
export ATELIER_CALENDAR_ORACLE="${ATELIER_CALENDAR_ORACLE:-$oracle_env/bin/python}"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "==> cargo test --workspace --no-fail-fast $*"
cargo test --workspace --no-fail-fast "$@" 2>&1 | tee "$log"
tests_status=${PIPESTATUS[0]}

echo
echo "==> rust-version"
check_rust_version
version_status=$?

# One line per test binary: which crate, and what its tests did.
echo
echo "==> summary"
awk '
    /^ *Running / {
        name = $0; sub(/.*\(/, "", name); sub(/\)$/, "", name)
        n = split(name, parts, "/"); name = parts[n]; sub(/-[0-9a-f]+$/, "", name)
        what = ($2 == "unittests") ? "unit " $3 : $2
        current = name " (" what ")"
    }
    /^ *Doc-tests / { current = $2 " (doc)" }
    /^test result:/ {
        passed = $4; failed = $6; ignored = $8
        sub(/;/, "", passed); sub(/;/, "", failed); sub(/;/, "", ignored)
        total_passed += passed; total_failed += failed; total_ignored += ignored
        binaries++
        if (failed > 0) { bad[++nbad] = current " — " failed " failed" }
        if (ignored > 0) { skipped[++nskipped] = current " — " ignored " ignored" }
    }
    END {
        printf "%d test binaries: %d passed, %d failed, %d ignored\n", binaries, total_passed, total_failed, total_ignored
        for (i = 1; i <= nbad; i++) print "  FAILED  " bad[i]
        for (i = 1; i <= nskipped; i++) print "  IGNORED " skipped[i]
    }' "$log"
grep -E '^error: ([0-9]+ targets? failed|could not compile)' "$log" | sed 's/^/  /'
if [ "$version_status" -ne 0 ]; then echo "  FAILED  rust-version check"; fi

if [ "$tests_status" -ne 0 ] || [ "$version_status" -ne 0 ]; then
    echo "tests/run.sh: FAILED"
    exit 1
fi
echo "tests/run.sh: all passed"
