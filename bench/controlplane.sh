#!/usr/bin/env bash
# The control plane at scale, in one run: N Knative Services (initial-scale 0, so no replica starts) applied at once
# with kubectl, then:
#   1. seconds from the start of the apply until every Service is Ready (goal: N=1000 in under 10 s), and the
#      seconds kubectl itself took to send them; per Service, creation to Ready (p50, p95, max);
#   2. Tide's CPU while reconciling (from /proc, in % of one core);
#   3. idle cost once settled: CPU over 30 s (goal: under 2% of a core) and RSS (goal: under 300 MB).
# Tide runs as ./tide server runs it (the launcher's JVM flags); JAVA_TOOL_OPTIONS adds a profiler, for example.
# Usage: bench/controlplane.sh [N, default 1000]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${1:-1000}"
command -v kubectl >/dev/null || { echo "bench/controlplane.sh needs kubectl" >&2; exit 1; }
source <(sed -n '/^java_major()/,/^}/p; /^find_jdk()/,/^}/p' ./tide)
export JAVA_HOME="$(find_jdk)"
./tide version >/dev/null  # builds only when the sources changed
WORK="$(mktemp -d)"
cleanup() { [ -n "${TIDE_PID:-}" ] && kill "$TIDE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

./tide server --api-port 0 --http-port 0 --data-dir "$WORK/data" \
  >"$WORK/tide.log" 2>&1 &
TIDE_PID=$!
for _ in $(seq 1 100); do grep -q "ingress listening" "$WORK/tide.log" 2>/dev/null && break; sleep 0.1; done
API=$(grep -o 'API listening on http://[0-9.:]*' "$WORK/tide.log" | awk '{print $4}')
K="kubectl --server $API --cache-dir $WORK/kube"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$TIDE_PID/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$TIDE_PID/status"; }
HZ=$(getconf CLK_TCK)

$K apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: config-autoscaler
  namespace: knative-serving
data:
  allow-zero-initial-scale: "true"
YAML
for i in $(seq 1 "$N"); do
  cat <<YAML
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: svc-$i
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/initial-scale: "0"
    spec:
      containers:
      - image: example.com/hello
        command: ["sleep", "infinity"]
YAML
done >"$WORK/services.yaml"

ready_count() {
  $K get ksvc -o 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$' || true
}
start_ticks=$(cpu_ticks)
start=$(date +%s.%N)
$K apply -f "$WORK/services.yaml" >/dev/null
sent=$(date +%s.%N)
while [ "$(ready_count)" -lt "$N" ]; do sleep 0.2; done
done_at=$(date +%s.%N)
busy_ticks=$(( $(cpu_ticks) - start_ticks ))
awk -v s="$start" -v k="$sent" -v d="$done_at" -v t="$busy_ticks" -v hz="$HZ" -v n="$N" 'BEGIN {
  printf "apply + ready: %d Services Ready %.1f s after the apply began (kubectl took %.1f s to send them)\n", n, d - s, k - s;
  printf "reconciling:   Tide used %.1f s of CPU, %.0f%% of one core over that time\n", t / hz, t / hz / (d - s) * 100 }'
# Knative's SLO is per Service (Ready within 25 s p95 of its creation): from each one's timestamps, whole seconds.
$K get ksvc -o json | python3 -c '
import datetime, json, sys
def t(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
d = sorted(t(c["lastTransitionTime"]) - t(o["metadata"]["creationTimestamp"])
           for o in json.load(sys.stdin)["items"] for c in o["status"]["conditions"] if c["type"] == "Ready")
q = lambda p: d[min(len(d) - 1, int(p * len(d)))]
print("per Service:   creation to Ready p50 %.0f s, p95 %.0f s, max %.0f s (timestamps in whole seconds)" % (q(0.5), q(0.95), d[-1]))'
sleep 10
idle_start=$(cpu_ticks)
sleep 30
idle_ticks=$(( $(cpu_ticks) - idle_start ))
awk -v t="$idle_ticks" -v hz="$HZ" -v rss="$(rss_mb)" 'BEGIN {
  printf "idle:          %.2f%% of one core over 30 s, RSS %d MB\n", t / hz / 30 * 100, rss }'
