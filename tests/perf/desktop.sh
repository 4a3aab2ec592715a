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
runner=$!
trap 'kill "$runner" 2>/dev/null || true; wait "$runner" 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 600); do curl -sf "$base/api/comic/panel" >/dev/null && break; sleep 0.2; done
# The simulator itself, not the `timeout` that runs it.
sim=$(pgrep -P "$runner" -n)
ticks() { awk '{print $14 + $15}' "/proc/$sim/stat"; }
hz=$(getconf CLK_TCK)

# Idle: nothing moves, no page open; the comic robot has made its first comic ahead.
sleep 30
before=$(ticks); sleep 60; after=$(ticks)
idle=$(python3 -c "print(f'{100 * ($after - $before) / $hz / 60:.1f}')")
rss_idle=$(awk '/VmRSS/ {print $2}' "/proc/$sim/status")

# The plotter at ×1000: its live page's events a second while it draws the portrait.
curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"sample":"chelsea.png","style":"scribble","seed":1}' "$base/api/plotter/plot" >/dev/null
for _ in $(seq 300); do
    curl -sf "$base/api/plotter/panel" | grep -q '"activity":"plotting"' && break
    sleep 0.2
done
# Each event timestamped as it arrives; counted while the plotter is plotting.
updates=$(timeout 20 python3 - "$port" <<'PY' || true
import http.client, json, sys, time
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
connection.request("GET", "/polargraph/api/live")
response = connection.getresponse()
seen, started = [], time.monotonic()
while time.monotonic() - started < 8:
    line = response.fp.readline().decode()
    if line.startswith("data:"):
        view = json.loads(line[5:])
        if view["status"]["activity"] == "plotting":
            seen.append(time.monotonic())
        elif seen:
            break
span = seen[-1] - seen[0] if len(seen) > 1 else 0
print(f"{(len(seen) - 1) / span:.1f} updates a second ({len(seen)} while plotting, over {span:.1f} s)" if span else "no plotting seen")
PY
)

# The lamp's preview while the plotter still draws: frames a second of its motion JPEG, first
# with the lamp at rest (a still picture is sent again once a second), then with its sensor
# shaken hard (the star map moves every frame).
timeout 10 curl -sN "$base/lantern/api/preview.mjpeg" >"$work/still.bin" || true
still=$(grep -ac 'Content-Type: image/jpeg' "$work/still.bin" || true)
curl -sf -X PUT -H 'Content-Type: application/json' -d '{"noise_g":0.3}' \
    "$base/api/lantern/panel" >/dev/null
sleep 1
timeout 10 curl -sN "$base/lantern/api/preview.mjpeg" >"$work/preview.bin" || true
frames=$(grep -ac 'Content-Type: image/jpeg' "$work/preview.bin" || true)
rss_busy=$(awk '/VmRSS/ {print $2}' "/proc/$sim/status")
peak=$(awk '/VmHWM/ {print $2}' "/proc/$sim/status")

echo "idle CPU: $idle % of one core (60 s, nothing moving, no page open)"
echo "resident memory: idle $((rss_idle / 1024)) MiB, plotting $((rss_busy / 1024)) MiB, peak $((peak / 1024)) MiB"
echo "plotter live page at x1000: $updates"
echo "lamp preview, lamp shaken: $((frames / 10)) frames a second ($frames in 10 s)"
echo "lamp preview, lamp at rest: $still frames in 10 s"
