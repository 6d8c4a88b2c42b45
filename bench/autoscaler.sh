#!/usr/bin/env bash
# Runs the autoscaler's JMH benchmarks and prints one decision, one sample and a 10,000-revision tick.
# Usage: bench/autoscaler.sh [extra JMH options]   (defaults: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./tide build >/dev/null
source <(sed -n '/^java_major()/,/^}/p; /^find_jdk()/,/^}/p' ./tide)
export JAVA_HOME="$(find_jdk)"
./mvnw -B -q -o -pl bench -am package -DskipTests -Dcheckstyle.skip >/dev/null 2>&1 || ./mvnw -B -q -pl bench -am package -DskipTests -Dcheckstyle.skip
CP="bench/target/classes:$(ls bench/target/lib/*.jar | tr '\n' ':')"
OUT="$(mktemp)"
"$JAVA_HOME/bin/java" -cp "$CP" org.openjdk.jmh.Main AutoscalerBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -rf csv -rff "$OUT" "$@"
echo
echo "Summary (JMH average ns per operation, +/- the 99.9% confidence half-width):"
awk -F, 'NR > 1 { gsub(/"/, ""); name = $1; sub(/.*\./, "", name); printf "  %-18s %10.1f ns  (+/- %.1f)\n", name, $5, $6;
  if (name == "tick10kRevisions") printf "  %-18s %10.2f ms of CPU per 2 s tick for 10,000 revisions (%.2f%% of one core)\n", "=> tick", $5 * 10000 / 1e6, $5 * 10000 / 2e9 * 100 }' "$OUT"
rm -f "$OUT"
