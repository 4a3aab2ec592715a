#!/usr/bin/env bash
# Measures the desktop simulator as docs/BENCHMARKS.md reports it: idle CPU and resident memory
# of the whole `atelier-sim` (release build), updates a second of the plotter's live page while
# it plots at ×1000, and frames a second of the lamp's live preview. A measured run, not a test:
#   bash tests/perf/desktop.sh            (about three minutes; needs curl and python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --bin atelier-sim >&2
bin=target/release/atelier-sim
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
log="$work/sim.log"
ATELIER_STATE_DIR="$work/state" timeout 600 "$bin" --no-browser --port "$port" \
    --plotter-speed 1000 >"$log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 600); do curl -sf "$base/api/comic/panel" >/dev/null && break; sleep 0.2; done
ticks() { awk '{print $14 + $15}' "/proc/$sim/stat"; }
hz=$(getconf CLK_TCK)

# Idle: nothing moves, no page open; the comic robot has made its first comic ahead.
sleep 30
before=$(ticks); sleep 60; after=$(ticks)
idle=$(python3 -c "print(f'{100 * ($after - $before) / $hz / 60:.1f}')")
rss_idle=$(awk '/VmRSS/ {print $2}' "/proc/$sim/status")

# The plotter at ×1000: its live page's events a second while it draws the portrait.
curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"sample":"portrait.png","style":"squiggle","seed":1}' "$base/api/plotter/plot" >/dev/null
for _ in $(seq 300); do
    curl -sf "$base/api/plotter/panel" | grep -q '"activity":"plotting"' && break
    sleep 0.2
done
timeout 10 curl -sN "$base/polargraph/api/live" >"$work/live.txt" || true
updates=$(grep -c '^event: state' "$work/live.txt" || true)

# The lamp's preview while the plotter still draws: frames a second of its motion JPEG.
timeout 10 curl -sN "$base/lantern/api/preview.mjpeg" >"$work/preview.bin" || true
frames=$(grep -ac 'Content-Type: image/jpeg' "$work/preview.bin" || true)
rss_busy=$(awk '/VmRSS/ {print $2}' "/proc/$sim/status")
peak=$(awk '/VmHWM/ {print $2}' "/proc/$sim/status")

echo "idle CPU: $idle % of one core (60 s, nothing moving, no page open)"
echo "resident memory: idle $((rss_idle / 1024)) MiB, plotting $((rss_busy / 1024)) MiB, peak $((peak / 1024)) MiB"
echo "plotter live page at x1000: $((updates / 10)) updates a second ($updates in 10 s)"
echo "lamp preview: $((frames / 10)) frames a second ($frames in 10 s)"
