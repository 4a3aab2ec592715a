#!/usr/bin/env bash
# Measures what docs/BENCHMARKS.md reports as the Pi budgets: each daemon's resident memory
# (VmRSS now, VmHWM its peak) idle and busy on the simulated board, release build of this
# machine (x86_64; an aarch64 build's heap is the same, its code a little smaller), and the
# stripped size of each aarch64 binary when one is built (cross/package.sh). A measured run, not a
# test:   bash tests/perf/daemons.sh       (about three minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p comic -p lantern -p polargraph --bins >&2
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
memory() { awk '/VmRSS|VmHWM/ {printf "%s %d MiB  ", $1, $2 / 1024}' "/proc/$1/status"; }
# The daemon itself, not the `timeout` that runs it.
child() { for _ in $(seq 100); do pgrep -P "$1" -n && return; sleep 0.1; done; }

# The comic robot: idle with its first comic made ahead, then a press every 2 s at 20x. Its
# packaged unit, and the lamp's, tunes glibc's malloc as below; ATELIER_DEFAULT_MALLOC=1
# measures without.
if [ -z "${ATELIER_DEFAULT_MALLOC:-}" ]; then
    export MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=1048576
fi
export ATELIER_STATE_DIR="$work/comic"
timeout 300 target/release/comic run --board sim >"$work/comic-idle.log" 2>&1 &
pids+=($!)
comic=$(child $!)
sleep 20
echo "comic run, idle:        $(memory "$comic")"
kill "$comic"; wait "${pids[-1]}" 2>/dev/null || true
timeout 300 target/release/comic run --board sim --press-every 2 --speed 20 --for 60 \
    >"$work/comic-busy.log" 2>&1 &
pids+=($!)
comic=$(child $!)
sleep 6
echo "comic run, printing:    $(memory "$comic")"
wait "${pids[-1]}" 2>/dev/null || true

# The lamp, at 30 fps and 1280x720 as shipped, its page served, the simulated lamp scripted.
export ATELIER_STATE_DIR="$work/lantern"
timeout 300 target/release/lantern run --board sim >"$work/lantern.log" 2>&1 &
pids+=($!)
lamp=$(child $!)
sleep 15
echo "lantern run:            $(memory "$lamp")"
kill "$lamp"; wait "${pids[-1]}" 2>/dev/null || true

# The plotter: idle, then plotting a sample through the daemon as fast as it goes (its unit
# keeps glibc's default arenas: the plotting thread must not wait on another's malloc).
unset MALLOC_ARENA_MAX MALLOC_MMAP_THRESHOLD_
export ATELIER_STATE_DIR="$work/polargraph"
timeout 300 target/release/polargraph run --board sim >"$work/polargraph.log" 2>&1 &
pids+=($!)
plotter=$(child $!)
sleep 10
echo "polargraph run, idle:   $(memory "$plotter")"
timeout 60 target/release/polargraph plot assets/plotter/chelsea.png --style scribble --seed 1 \
    --board sim -o "$work/job" >"$work/plot.log" 2>&1 || true
sleep 10
echo "polargraph run, plotting: $(memory "$plotter")"
kill "$plotter"; wait "${pids[-1]}" 2>/dev/null || true

for binary in comic lantern polargraph; do
    built=target/aarch64-unknown-linux-gnu/release/$binary
    [ -f "$built" ] || continue
    aarch64-linux-gnu-strip -o "$work/$binary.stripped" "$built"
    echo "aarch64 $binary, stripped: $(($(stat -c %s "$work/$binary.stripped") / 1024)) KiB"
done
