#!/usr/bin/env bash
# Tide's model server side by side with KServe's Python model server (kserve 0.21, a kserve.Model doing the same
# tokenize / ONNX Runtime / mean-pool work, bench/peers/kserve_minilm.py) on the sample model, in one run:
# throughput, p50 and p99 at concurrency 1 and 16 (hey, v1 :predict, one 13-word sentence per request), rounds
# alternating the two servers, medians; then each one's cold start, process start to first prediction, median of 3.
# Prints Tide / KServe ratios. The peer is installed from PyPI in a virtualenv under target/bench-peers.
# Usage: bench/peers.sh [seconds per run, default 10] [rounds, default 3]; TIDE_MODEL_SERVER_ARGS adds model server
# options (e.g. "--workers=1 --intra_op_threads=2") to try other settings against the same peer.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECS="${1:-10}"
ROUNDS="${2:-3}"
command -v hey >/dev/null || { echo "bench/peers.sh needs hey (apt-get install hey)" >&2; exit 1; }
source <(sed -n '/^java_major()/,/^}/p; /^find_jdk()/,/^}/p' ./tide)
export JAVA_HOME="$(find_jdk)" DJL_OFFLINE=true
./tide version >/dev/null  # builds when the sources changed (and records the start-up caches)
VENV="$ROOT/target/bench-peers"
if ! cmp -s bench/peers/requirements.txt "$VENV/requirements.txt"; then
  rm -rf "$VENV" && python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r bench/peers/requirements.txt
  cp bench/peers/requirements.txt "$VENV/requirements.txt"
fi
JAVA="$JAVA_HOME/bin/java"
MODEL="$ROOT/examples/models/all-minilm-l6-v2"
WORK="$(mktemp -d)"
BODY='{"instances": ["Tide scales each model with its own traffic, down to zero when idle."]}'
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# Each server by the command it is started with; $1 is the port.
# Tide's model server by the command replicas get (JVM flags, class path, start-up cache), from Tide's own launcher.
mapfile -t REPLICA < <("$JAVA" -cp tide-cli/target/tide-cli.jar dev.tide.cli.AotTraining --replica-command "$WORK")
tide_cmd() { exec "${REPLICA[@]}" --model_name=minilm --model_dir="$MODEL" --http_port="$1" ${TIDE_MODEL_SERVER_ARGS:-}; }
kserve_cmd() { exec "$VENV/bin/python" bench/peers/kserve_minilm.py "$MODEL" "$1"; }

# Starts a server, waits for its first prediction; prints "PID MS" (ms from the start to that prediction).
start() {
  local port="$2" t0; t0=$(date +%s%N)
  "$1" "$port" >"$WORK/$1-$port.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/v1/models/minilm:predict" -d "$BODY" && { echo "$pid $(ms_since "$t0")"; return; }
    sleep 0.02
  done
  echo "$1 did not answer; its log:" >&2; cat "$WORK/$1-$port.log" >&2; exit 1
}

load() { # url, concurrency -> "rps p50 p99 non200"
  local out; out=$(hey -z "${SECS}s" -c "$2" -m POST -T application/json -d "$BODY" "$1")
  awk '/Requests\/sec/ {r=$2} / 50%/ {p50=$3*1000} / 99%/ {p99=$3*1000} END {printf "%s %s %s", r, p50, p99}' <<<"$out"
  grep -E '^\s+\[[0-9]+\]' <<<"$out" | grep -v '\[200\]' | awk '{s+=$2} END {printf " %d\n", s+0}'
}

declare -A URL
for s in tide_cmd kserve_cmd; do
  port=$(free_port); read -r pid _ < <(start "$s" "$port"); [ -n "${pid:-}" ] || exit 1
  PIDS="$PIDS $pid"; URL[$s]="http://127.0.0.1:$port/v1/models/minilm:predict"
  hey -n 200 -c 4 -m POST -T application/json -d "$BODY" "${URL[$s]}" >/dev/null  # warm up (JIT, allocators)
done
for round in $(seq 1 "$ROUNDS"); do
  for c in 1 16; do
    for s in tide_cmd kserve_cmd; do
      echo "$c $(load "${URL[$s]}" "$c")" >>"$WORK/$s.load"
    done
  done
done
for p in $PIDS; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=""
for i in 1 2 3; do
  for s in tide_cmd kserve_cmd; do
    read -r pid ms < <(start "$s" "$(free_port)"); [ -n "${pid:-}" ] || exit 1
    kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    echo "$ms" >>"$WORK/$s.cold"
  done
done

python3 - "$WORK" "$SECS" "$ROUNDS" <<'PY'
import statistics, sys
work, secs, rounds = sys.argv[1], sys.argv[2], sys.argv[3]
def rows(server):
    out = {}
    for line in open(f"{work}/{server}.load"):
        c, rps, p50, p99, errors = line.split()
        out.setdefault(int(c), []).append((float(rps), float(p50), float(p99), int(errors)))
    return {c: tuple(statistics.median(v[i] for v in vs) for i in range(3)) + (sum(v[3] for v in vs),) for c, vs in out.items()}
tide, peer = rows("tide_cmd"), rows("kserve_cmd")
cold = {s: statistics.median(int(x) for x in open(f"{work}/{s}.cold").read().split()) for s in ("tide_cmd", "kserve_cmd")}
print(f"sample model (all-MiniLM-L6-v2), v1 :predict, hey -z {secs}s, medians of {rounds} alternating rounds:")
print("| | Tide req/s | KServe req/s | ratio | Tide p50 / p99 ms | KServe p50 / p99 ms | p50 ratio | p99 ratio |")
print("|---|---|---|---|---|---|---|---|")
for c in sorted(tide):
    t, k = tide[c], peer[c]
    print(f"| c={c} | {t[0]:.0f} | {k[0]:.0f} | {t[0] / k[0]:.2f} | {t[1]:.1f} / {t[2]:.1f} | {k[1]:.1f} / {k[2]:.1f} "
          f"| {t[1] / k[1]:.2f} | {t[2] / k[2]:.2f} |")
    if t[3] or k[3]:
        print(f"  non-200 answers: Tide {t[3]}, KServe {k[3]}")
print(f"| cold start (process start to first prediction, median of 3) | {cold['tide_cmd']:.0f} ms | {cold['kserve_cmd']:.0f} ms "
      f"| {cold['tide_cmd'] / cold['kserve_cmd']:.2f} | | | | |")
PY
