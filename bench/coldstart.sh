#!/usr/bin/env bash
# Cold start of the sample model (all-MiniLM-L6-v2) from zero to its first prediction through Tide's ingress, with
# and without the start-up caches that ./tide records after a build (the JDK's AOT cache, JEP 483/514), in one run:
# phases alternate (without, with, without, with), each on a fresh Tide. A cycle stops the InferenceService
# (serving.kserve.io/stop), starts it again at zero, waits for Ready, and times one v1 prediction with curl.
# Prints p50/p90 of each and the ratio, the replica's own phases of the last cycle, and `tide get isvc` times.
# Usage: bench/coldstart.sh [cycles per phase, default 10]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CYCLES="${1:-10}"
source <(sed -n '/^java_major()/,/^}/p; /^find_jdk()/,/^}/p' ./tide)
export JAVA_HOME="$(find_jdk)" DJL_OFFLINE=true
./tide version >/dev/null  # builds when the sources changed, and records the caches after a build
[ -f tide-cli/target/aot/modelserver.aot ] || { echo "no start-up cache: see .tide-build.log" >&2; exit 1; }
JAVA="$JAVA_HOME/bin/java"
MODEL="$ROOT/examples/models/all-minilm-l6-v2"
WORK="$(mktemp -d)"
BODY='{"instances": ["Tide scales each model with its own traffic, down to zero when idle."]}'
TIDE_PID=""
cleanup() { [ -n "$TIDE_PID" ] && kill "$TIDE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
isvc() { # the sample InferenceService at zero; $1: serving.kserve.io/stop
  cat <<YAML
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: minilm
  annotations: {autoscaling.knative.dev/initial-scale: "0", autoscaling.knative.dev/max-scale: "1", serving.kserve.io/stop: "$1"}
spec:
  predictor:
    minReplicas: 0
    model:
      modelFormat: {name: onnx}
      storageUri: file://$MODEL
YAML
}
ready() { # the InferenceService is Ready (its conditions are written type first, then status)
  curl -sf "$API/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices/minilm" | grep -q '"type":"Ready","status":"True"'
}

phase() { # aot on|off, output file for the cycle times
  local aot="$1" out="$2" data="$WORK/data-$RANDOM"
  TIDE_AOT="$aot" "$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar tide-cli/target/tide-cli.jar server --api-port 0 \
    --http-port 0 --data-dir "$data" --model-root "$ROOT/examples" >"$WORK/tide-$aot.log" 2>&1 &
  TIDE_PID=$!
  for _ in $(seq 1 200); do grep -q "ingress listening" "$WORK/tide-$aot.log" 2>/dev/null && break; sleep 0.05; done
  API=$(grep -o 'API listening on http://[0-9.:]*' "$WORK/tide-$aot.log" | awk '{print $4}')
  INGRESS=$(grep -o 'ingress listening on http://[0-9.:]*' "$WORK/tide-$aot.log" | awk '{print $4}')
  { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-autoscaler, namespace: knative-serving}\n'
    printf 'data: {allow-zero-initial-scale: "true"}\n---\n'; isvc false; } | TIDE_AOT="$aot" ./tide apply --server "$API" -f - >/dev/null
  for i in $(seq 1 "$CYCLES"); do
    for _ in $(seq 1 400); do ready && break; sleep 0.05; done
    local start; start=$(date +%s%N)
    curl -sf -H 'Host: minilm.default.example.com' "$INGRESS/v1/models/minilm:predict" -d "$BODY" >/dev/null
    ms "$start" >>"$out"
    [ "$i" = "$CYCLES" ] && TIDE_AOT="$aot" ./tide logs minilm-predictor-00001 --server "$API" 2>/dev/null \
      | grep -E 'listening|loaded|warm-up|ready in' | sed "s/^/  ($aot) /" >"$WORK/phases-$aot.txt"
    # Stop (the replica and the revision go) and start again at zero.
    isvc true | TIDE_AOT="$aot" ./tide apply --server "$API" -f - >/dev/null
    for _ in $(seq 1 400); do curl -sf "$API/apis/serving.knative.dev/v1/namespaces/default/revisions" | grep -q minilm || break; sleep 0.05; done
    isvc false | TIDE_AOT="$aot" ./tide apply --server "$API" -f - >/dev/null
  done
  for i in 1 2 3 4 5; do
    local s; s=$(date +%s%N); TIDE_AOT="$aot" ./tide get isvc --server "$API" >/dev/null; ms "$s" >>"$WORK/get-$aot.txt"
  done
  kill "$TIDE_PID"; wait "$TIDE_PID" 2>/dev/null || true; TIDE_PID=""
}

for round in 1 2; do
  phase off "$WORK/cold-off.txt"
  phase on "$WORK/cold-on.txt"
done
python3 - "$WORK" <<'PY'
import sys, statistics
w = sys.argv[1]
def load(name): return sorted(int(x) for x in open(f"{w}/{name}.txt").read().split())
def pct(v, p): return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
off, on = load("cold-off"), load("cold-on")
print(f"cold start from zero to the first prediction through Tide's ingress, {len(off)} cycles each:")
print(f"  without the start-up cache: p50 {pct(off, 50)} ms, p90 {pct(off, 90)} ms")
print(f"  with it:                    p50 {pct(on, 50)} ms, p90 {pct(on, 90)} ms")
print(f"  ratio with / without: p50 {pct(on, 50) / pct(off, 50):.2f}, p90 {pct(on, 90) / pct(off, 90):.2f}")
goff, gon = load("get-off"), load("get-on")
print(f"tide get isvc: median {statistics.median(goff):.0f} ms without the CLI's cache, {statistics.median(gon):.0f} ms with it")
PY
echo "the replica's own phases, last cycle of each:"
cat "$WORK/phases-off.txt" "$WORK/phases-on.txt"
