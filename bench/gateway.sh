#!/usr/bin/env bash
# Tide's request-path overhead, measured in one run on this machine:
#   1. throughput and p50/p99 latency of a fast backend (the test fixture, a JDK HTTP server) directly and through
#      Tide's ingress (hey, same concurrency and duration), and their ratio;
#   2. CPU time of the Tide process per proxied request (from /proc, over the proxied run);
#   3. a cold start from zero: the replica's own start-to-listen time (measured by starting it by hand) and the rest,
#      which is Tide's (decision, process start, readiness probe, proxying).
# Usage: bench/gateway.sh [seconds per run, default 10] [concurrency, default 16]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_PER_RUN="${1:-10}"
CONCURRENCY="${2:-16}"
command -v hey >/dev/null || { echo "bench/gateway.sh needs hey (apt-get install hey)" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "bench/gateway.sh needs kubectl" >&2; exit 1; }
source <(sed -n '/^java_major()/,/^}/p; /^find_jdk()/,/^}/p' ./tide)
export JAVA_HOME="$(find_jdk)"
./tide version >/dev/null  # builds only when the sources changed
./mvnw -B -q -o -pl tide-it test-compile -Dcheckstyle.skip >/dev/null 2>&1 || ./mvnw -B -q -pl tide-it test-compile -Dcheckstyle.skip >/dev/null
FIXTURE_CP="$ROOT/tide-it/target/test-classes"
JAVA="$JAVA_HOME/bin/java"
WORK="$(mktemp -d)"
cleanup() { [ -n "${TIDE_PID:-}" ] && kill "$TIDE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$JAVA" -jar tide-cli/target/tide-cli.jar server --api-port 0 --http-port 0 --data-dir "$WORK/data" >"$WORK/tide.log" 2>&1 &
TIDE_PID=$!
for _ in $(seq 1 100); do grep -q "ingress listening" "$WORK/tide.log" 2>/dev/null && break; sleep 0.1; done
API=$(grep -o 'API listening on http://[0-9.:]*' "$WORK/tide.log" | awk '{print $4}')
INGRESS=$(grep -o 'ingress listening on http://[0-9.:]*' "$WORK/tide.log" | awk '{print $4}')
K="kubectl --server $API --cache-dir $WORK/kube"
service() { # name, annotations
  cat <<YAML
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: $1
spec:
  template:
    metadata:
      annotations:
$2
    spec:
      containers:
        - image: example.com/fixture
          command: ["$JAVA", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", "$FIXTURE_CP", "dev.tide.it.fixtures.FixtureServer"]
YAML
}
service fast '        autoscaling.knative.dev/min-scale: "1"
        autoscaling.knative.dev/max-scale: "1"' | $K apply -f - >/dev/null
service cold '        autoscaling.knative.dev/window: "6s"' | $K apply -f - >/dev/null
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: fast.default.example.com' "$INGRESS/")" = 200 ] && break; sleep 0.1
done
PORT=$(curl -s -H 'Host: fast.default.example.com' "$INGRESS/" | sed 's/.*port=\([0-9]*\).*/\1/')

run() { # url, extra hey args -> prints "rps p50 p99 total"
  local out; out=$(hey -z "${SECONDS_PER_RUN}s" -c "$CONCURRENCY" "$@")
  echo "$out" | awk '/Requests\/sec/ {rps=$2} /50% in/ {p50=$3} /99% in/ {p99=$3} /\[200\]/ {ok=$2} END {printf "%s %s %s %s\n", rps, p50*1000, p99*1000, ok}'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$TIDE_PID/stat"; }
TCK=$(getconf CLK_TCK)

run "http://127.0.0.1:$PORT/" >/dev/null  # warm-up
read -r D_RPS D_P50 D_P99 D_N < <(run "http://127.0.0.1:$PORT/")
run -host fast.default.example.com "$INGRESS/" >/dev/null  # warm-up
C0=$(cpu_ticks)
read -r T_RPS T_P50 T_P99 T_N < <(run -host fast.default.example.com "$INGRESS/")
C1=$(cpu_ticks)
CPU_US=$(awk -v c=$((C1 - C0)) -v t="$TCK" -v n="$T_N" 'BEGIN {printf "%.1f", c / t * 1e6 / n}')

# Cold start: wait for the cold service to scale to zero, then time one request.
for _ in $(seq 1 600); do
  [ "$($K get rev cold-00001 -o jsonpath='{.status.actualReplicas}' 2>/dev/null)" = "0" ] && break; sleep 0.2
done
COLD=$(curl -s -o /dev/null -w '%{time_total}' -H 'Host: cold.default.example.com' "$INGRESS/")
# The replica's own start-to-listen, started by hand the same way.
FREE=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
START=$(date +%s%N)
PORT=$FREE K_REVISION=x "$JAVA" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$FIXTURE_CP" dev.tide.it.fixtures.FixtureServer >/dev/null 2>&1 &
FIX=$!
until curl -s -o /dev/null "http://127.0.0.1:$FREE/healthz"; do sleep 0.005; done
OWN=$(( ($(date +%s%N) - START) / 1000000 ))
kill $FIX

echo "Tide gateway benchmark: hey -z ${SECONDS_PER_RUN}s -c $CONCURRENCY, $(nproc) cores"
printf "  %-22s %10s %9s %9s\n" "" "req/s" "p50 ms" "p99 ms"
printf "  %-22s %10.0f %9.2f %9.2f\n" "direct to the replica" "$D_RPS" "$D_P50" "$D_P99"
printf "  %-22s %10.0f %9.2f %9.2f\n" "through Tide" "$T_RPS" "$T_P50" "$T_P99"
awk -v d="$D_RPS" -v t="$T_RPS" 'BEGIN {printf "  throughput ratio (through Tide / direct): %.2f\n", t / d}'
echo "  Tide CPU per proxied request: ${CPU_US} us"
awk -v c="$COLD" -v o="$OWN" 'BEGIN {printf "  cold start from zero: %.0f ms total = %d ms the replica'"'"'s own start-to-listen + %.0f ms Tide\n", c * 1000, o, c * 1000 - o}'
