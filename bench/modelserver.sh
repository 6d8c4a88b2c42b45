#!/usr/bin/env bash
# Tide's model server on the sample model (all-MiniLM-L6-v2, fp32), measured in one run on this machine with hey:
#   0. the baseline: the same model code in-process (tokenizer + ONNX Runtime + pooling, no HTTP), 1 and 16 callers;
#   1. the model server over HTTP (v1 :predict, one ~10-word sentence per request) at concurrency 1 and 16, with
#      dynamic batching off and on: sentences/s and p50/p99;
#   2. the same through Tide's gateway (an InferenceService), at concurrency 16, and its ratio to direct;
#   3. cold start from zero to the first prediction, split from the model server's own log lines into process start
#      (to listening), model fetch + load, and warm-up inference.
# Usage: bench/modelserver.sh [seconds per run, default 10]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECS="${1:-10}"
command -v hey >/dev/null || { echo "bench/modelserver.sh needs hey (apt-get install hey)" >&2; exit 1; }
source <(sed -n '/^java_major()/,/^}/p; /^find_jdk()/,/^}/p' ./tide)
export JAVA_HOME="$(find_jdk)" DJL_OFFLINE=true
./tide version >/dev/null  # builds only when the sources changed
./mvnw -B -q -pl bench -am install -DskipTests -Dcheckstyle.skip >/dev/null
BENCH_CP="bench/target/classes:$(ls bench/target/lib/*.jar | tr '\n' ':')"
JAVA="$JAVA_HOME/bin/java"
CP="$ROOT/tide-cli/target/tide-cli.jar:$(ls "$ROOT"/tide-cli/target/lib/*.jar | tr '\n' ':')"
NATIVE="-Donnxruntime.native.path=$ROOT/tide-cli/target/lib/onnxruntime-native"
MODEL="$ROOT/examples/models/all-minilm-l6-v2"
WORK="$(mktemp -d)"
BODY='{"instances": ["Tide scales each model with its own traffic, down to zero when idle."]}'
cleanup() { for p in ${PIDS:-}; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() { # url, concurrency, extra hey args -> "rps p50 p99 errors"
  local out; out=$(hey -z "${SECS}s" -c "$2" -m POST -T application/json -d "$BODY" "${@:3}" "$1")
  local rps p50 p99 non200
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '/ 50%/ {print $3*1000}' <<<"$out")
  p99=$(awk '/ 99%/ {print $3*1000}' <<<"$out")
  non200=$(grep -E '^\s+\[[0-9]+\]' <<<"$out" | grep -v '\[200\]' | awk '{s+=$2} END {print s+0}')
  printf '%8.1f/s  p50 %6.1f ms  p99 %6.1f ms  errors %s' "$rps" "$p50" "$p99" "$non200"
}
serve() { # batching; sets URL and SERVER_PID (not in a subshell, so the process stays ours to stop)
  local port; port=$(free_port)
  # The class path goes through an argument file: the replica's native libraries crash on a command line over ~4 KiB.
  printf -- '-cp\n"%s"\n' "$CP" > "$WORK/cp.args"
  "$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED $NATIVE "@$WORK/cp.args" \
    dev.tide.modelserver.ModelServerMain --model_name=minilm --model_dir="$MODEL" --http_port="$port" --batching="$1" \
    >"$WORK/ms-$1.log" 2>&1 &
  SERVER_PID=$!
  PIDS="${PIDS:-} $SERVER_PID"
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break; sleep 0.05; done
  curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null || { echo "the model server did not get ready:" >&2; cat "$WORK/ms-$1.log" >&2; exit 1; }
  URL="http://127.0.0.1:$port/v1/models/minilm:predict"
}

echo "in-process baseline (the model code called directly, one sentence per call, ${SECS}s per run):"
SENTENCE="Tide scales each model with its own traffic, down to zero when idle."
for c in 1 16; do
  line=$("$JAVA" --enable-native-access=ALL-UNNAMED $NATIVE -cp "$BENCH_CP" dev.tide.bench.InProcessInference "$MODEL" "$c" "$SECS" "$SENTENCE" 2>/dev/null | tail -1)
  echo "  in-process, c=$c:     $line"
  [ "$c" = 16 ] && RAW16=$(awk '{print $1}' <<<"$line" | tr -d '/s')
done
echo
echo "model server over HTTP (${SECS}s per run, hey):"
for b in off on; do
  serve "$b"; url="$URL"
  hey -n 50 -c 4 -m POST -T application/json -d "$BODY" "$url" >/dev/null  # warm the JIT
  echo "  batching $b, c=1:  $(load "$url" 1)"
  c16=$(load "$url" 16)
  echo "  batching $b, c=16: $c16"
  DIRECT16=$(awk '{print $1}' <<<"$c16" | tr -d '/s')  # the last one (batching on) is compared with the gateway
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
done

"$JAVA" -jar tide-cli/target/tide-cli.jar server --api-port 0 --http-port 0 --data-dir "$WORK/data" >"$WORK/tide.log" 2>&1 &
PIDS="${PIDS:-} $!"
for _ in $(seq 1 100); do grep -q "ingress listening" "$WORK/tide.log" 2>/dev/null && break; sleep 0.1; done
API=$(grep -o 'API listening on http://[0-9.:]*' "$WORK/tide.log" | awk '{print $4}')
INGRESS=$(grep -o 'ingress listening on http://[0-9.:]*' "$WORK/tide.log" | awk '{print $4}')
cat <<YAML | ./tide apply --server "$API" -f - >/dev/null
apiVersion: v1
kind: ConfigMap
metadata: {name: config-autoscaler, namespace: knative-serving}
data: {allow-zero-initial-scale: "true"}
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: minilm
  annotations: {autoscaling.knative.dev/initial-scale: "0", autoscaling.knative.dev/max-scale: "1"}
spec:
  predictor:
    minReplicas: 0
    model:
      modelFormat: {name: onnx}
      storageUri: file://$MODEL
YAML
for _ in $(seq 1 200); do ./tide get isvc minilm --server "$API" 2>/dev/null | grep -q True && break; sleep 0.1; done
start=$(date +%s%N)
curl -sf -H 'Host: minilm.default.example.com' "$INGRESS/v1/models/minilm:predict" -d "$BODY" >/dev/null
end=$(date +%s%N)
echo
echo "cold start from zero to the first prediction through Tide: $(( (end - start) / 1000000 )) ms; the replica's own phases:"
./tide logs minilm-predictor-00001 --server "$API" | grep -E 'listening|loaded|warm-up|ready in' | sed 's/^/  /'
hey -n 50 -c 4 -m POST -T application/json -d "$BODY" -host minilm.default.example.com "$INGRESS/v1/models/minilm:predict" >/dev/null
echo
VIA=$(load "$INGRESS/v1/models/minilm:predict" 16 -host minilm.default.example.com)
echo "through Tide's gateway (one replica, batching on), c=16: $VIA"
python3 -c "print('ratio gateway/direct at c=16: %.2f' % ($(awk '{print $1}' <<<"$VIA" | tr -d '/s') / $DIRECT16))"
python3 -c "print('ratio model server (batching on)/in-process at c=16: %.2f' % ($DIRECT16 / $RAW16))"
