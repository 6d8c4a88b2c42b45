#!/usr/bin/env bash
# Tide's request-path cost, measured side by side with nginx in one run on this machine:
#   1. throughput and p50/p99 latency of a fast backend (the test fixture, a JDK HTTP server) directly, through
#      nginx (keep-alive upstream, as a reverse proxy is run in production) and through Tide's ingress: hey, same
#      concurrency and duration, rounds alternating the three, medians of the rounds, printed as ratios to nginx;
#   2. CPU time per proxied request of the Tide process and of nginx's processes (from /proc, over the same runs);
#   3. a cold start from zero: the replica's own start-to-listen time (measured by starting it by hand) and the rest,
#      which is Tide's (decision, process start, readiness probe, proxying).
# Usage: bench/gateway.sh [seconds per run, default 10] [concurrency, default 16] [rounds, default 3]
# BENCH_PROTOCOL=h2c measures HTTP/2 over cleartext (prior knowledge) with h2load instead of HTTP/1.1 with hey.
# TIDE_JAVA_OPTS goes to Tide's JVM, e.g. to profile it:
#   TIDE_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/tide.jfr,settings=profile bench/gateway.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_PER_RUN="${1:-10}"
CONCURRENCY="${2:-16}"
ROUNDS="${3:-3}"
command -v nginx >/dev/null || { echo "bench/gateway.sh needs nginx (apt-get install nginx-light)" >&2; exit 1; }
command -v hey >/dev/null || { echo "bench/gateway.sh needs hey (apt-get install hey)" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "bench/gateway.sh needs kubectl" >&2; exit 1; }
source <(sed -n '/^java_major()/,/^}/p; /^find_jdk()/,/^}/p' ./tide)
export JAVA_HOME="$(find_jdk)"
./tide version >/dev/null  # builds only when the sources changed
./mvnw -B -q -o -pl tide-it test-compile -Dcheckstyle.skip >/dev/null 2>&1 || ./mvnw -B -q -pl tide-it test-compile -Dcheckstyle.skip >/dev/null
FIXTURE_CP="$ROOT/tide-it/target/test-classes"
JAVA="$JAVA_HOME/bin/java"
WORK="$(mktemp -d)"
cleanup() {
  [ -n "${TIDE_PID:-}" ] && kill "$TIDE_PID" 2>/dev/null
  [ -n "${NGINX_PID:-}" ] && kill "$NGINX_PID" 2>/dev/null
  wait 2>/dev/null; rm -rf "$WORK"
}
trap cleanup EXIT

"$JAVA" ${TIDE_JAVA_OPTS:-} -jar tide-cli/target/tide-cli.jar server --api-port 0 --http-port 0 --data-dir "$WORK/data" >"$WORK/tide.log" 2>&1 &
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

PROTOCOL="${BENCH_PROTOCOL:-h1}"
case "$PROTOCOL" in
  h1) LAT="p50 ms"; LAT2="p99 ms" ;;
  h2c) LAT="mean ms"; LAT2="max ms"  # h2load gives no percentiles
       command -v h2load >/dev/null || { echo "BENCH_PROTOCOL=h2c needs h2load (apt-get install nghttp2-client)" >&2; exit 1; } ;;
  *) echo "BENCH_PROTOCOL is h1 or h2c" >&2; exit 1 ;;
esac
run() { # url [host] -> prints "rps latency latency2 succeeded": hey for HTTP/1.1, h2load (prior knowledge) for h2c
  local out
  if [ "$PROTOCOL" = h1 ]; then
    out=$(hey -z "${SECONDS_PER_RUN}s" -c "$CONCURRENCY" ${2:+-host "$2"} "$1")
    echo "$out" | awk '/Requests\/sec/ {rps=$2} /50% in/ {p50=$3} /99% in/ {p99=$3} /\[200\]/ {ok=$2} END {printf "%s %s %s %s\n", rps, p50*1000, p99*1000, ok}'
  else
    local hostport=${1#http://}; hostport=${hostport%%/*}
    out=$(h2load -D "$SECONDS_PER_RUN" -c "$CONCURRENCY" -m 1 ${2:+--connect-to="$hostport"} "http://${2:-$hostport}/")
    echo "$out" | awk 'function ms(v) { return v ~ /us$/ ? v / 1000 : v ~ /ms$/ ? v + 0 : v * 1000 }
      /^finished in/ {rps=$4} /^requests:/ {ok=$8} /^time for request:/ {mean=ms($6); max=ms($5)}
      END {printf "%s %s %s %s\n", rps, mean, max, ok}'
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# nginx as a reverse proxy is run in front of model servers: one worker per core, keep-alive to the upstream, the
# forwarding headers Tide also sets, no access log (Tide's request log is off by default too), no cap on requests
# per connection.
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy; fastcgi_temp_path $WORK/nginx/fcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  keepalive_requests 1000000;  # nginx's default 1000 ends each connection (h2load does not reconnect); Tide has no cap
  upstream replica { server 127.0.0.1:$PORT; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGINX_PORT$([ "$PROTOCOL" = h2c ] && echo " http2");
    location / {
      proxy_pass http://replica;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
until curl -s -o /dev/null $([ "$PROTOCOL" = h2c ] && echo --http2-prior-knowledge) "http://127.0.0.1:$NGINX_PORT/"; do sleep 0.05; done

cpu_ticks() { # "pid..." -> their utime + stime summed (for Tide its own process only: replicas are not its cost)
  local t=0 p
  for p in $1; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
NGINX_PIDS="$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"  # the master and its workers
TCK=$(getconf CLK_TCK)
measure() { # name "pids" url [hey args] -> appends "rps p50 p99 cpu_us_per_request" to $WORK/rounds.NAME
  local name=$1 pid=$2; shift 2
  local c0 c1 rps p50 p99 n
  c0=$([ "$pid" = - ] && echo 0 || cpu_ticks "$pid")
  read -r rps p50 p99 n < <(run "$@")
  c1=$([ "$pid" = - ] && echo 0 || cpu_ticks "$pid")
  awk -v r="$rps" -v a="$p50" -v b="$p99" -v c=$((c1 - c0)) -v t="$TCK" -v n="$n" \
    'BEGIN {printf "%s %s %s %.1f\n", r, a, b, c / t * 1e6 / n}' >>"$WORK/rounds.$name"
}
median() { # file column -> the median of that column over the rounds
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
SIDES="nginx tide"
[ "$PROTOCOL" = h1 ] && SIDES="direct $SIDES"  # the replica speaks HTTP/1.1 only
[ "$PROTOCOL" = h1 ] && run "http://127.0.0.1:$PORT/" >/dev/null  # warm-up, each side
run "http://127.0.0.1:$NGINX_PORT/" >/dev/null
run "$INGRESS/" fast.default.example.com >/dev/null
for _ in $(seq 1 "$ROUNDS"); do
  [ "$PROTOCOL" = h1 ] && measure direct - "http://127.0.0.1:$PORT/"
  measure nginx "$NGINX_PIDS" "http://127.0.0.1:$NGINX_PORT/"
  measure tide "$TIDE_PID" "$INGRESS/" fast.default.example.com
done
for side in $SIDES; do
  for col in 1 2 3 4; do eval "${side}_$col=$(median "$WORK/rounds.$side" $col)"; done
done

# Cold start: wait for the cold service to scale to zero, then time one request.
for _ in $(seq 1 600); do
  [ "$($K get rev cold-00001 -o jsonpath='{.status.actualReplicas}' 2>/dev/null)" = "0" ] && break; sleep 0.2
done
COLD=$(curl -s -o /dev/null -w '%{time_total}' -H 'Host: cold.default.example.com' "$INGRESS/")
# The replica's own start-to-listen, started by hand the same way.
FREE=$(free_port)
START=$(date +%s%N)
PORT=$FREE K_REVISION=x "$JAVA" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$FIXTURE_CP" dev.tide.it.fixtures.FixtureServer >/dev/null 2>&1 &
FIX=$!
until curl -s -o /dev/null "http://127.0.0.1:$FREE/healthz"; do sleep 0.005; done
OWN=$(( ($(date +%s%N) - START) / 1000000 ))
kill $FIX

TOOL="hey -z ${SECONDS_PER_RUN}s -c $CONCURRENCY (HTTP/1.1)"
[ "$PROTOCOL" = h2c ] && TOOL="h2load -D $SECONDS_PER_RUN -c $CONCURRENCY -m 1 (h2c, one stream per connection at a time)"
echo "Tide gateway benchmark: $TOOL, medians of $ROUNDS rounds, $(nproc) cores"
printf "  %-22s %10s %9s %9s %12s\n" "" "req/s" "$LAT" "$LAT2" "CPU us/req"
[ "$PROTOCOL" = h1 ] && printf "  %-22s %10.0f %9.2f %9.2f %12s\n" "direct to the replica" "$direct_1" "$direct_2" "$direct_3" "-"
printf "  %-22s %10.0f %9.2f %9.2f %12.1f\n" "through nginx" "$nginx_1" "$nginx_2" "$nginx_3" "$nginx_4"
printf "  %-22s %10.0f %9.2f %9.2f %12.1f\n" "through Tide" "$tide_1" "$tide_2" "$tide_3" "$tide_4"
awk -v n="$nginx_1" -v t="$tide_1" 'BEGIN {printf "  throughput, Tide / nginx: %.2f\n", t / n}'
[ "$PROTOCOL" = h1 ] && awk -v n="$nginx_1" -v t="$tide_1" -v d="$direct_1" 'BEGIN {printf "  throughput to direct: Tide %.2f, nginx %.2f\n", t / d, n / d}'
awk -v n="$nginx_2" -v t="$tide_2" -v a="$nginx_3" -v b="$tide_3" -v l="${LAT% ms}" -v m="${LAT2% ms}" \
  'BEGIN {printf "  latency, Tide / nginx: %s %.2f, %s %.2f\n", l, t / n, m, b / a}'
awk -v n="$nginx_4" -v t="$tide_4" 'BEGIN {printf "  CPU per request, Tide / nginx: %.2f\n", t / n}'
awk -v c="$COLD" -v o="$OWN" 'BEGIN {printf "  cold start from zero: %.0f ms total = %d ms the replica'"'"'s own start-to-listen + %.0f ms Tide\n", c * 1000, o, c * 1000 - o}'
