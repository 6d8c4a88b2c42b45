#!/usr/bin/env bash
# Runs JMH benchmarks matching a pattern and prints a summary.
# Usage: bench/jmh.sh PATTERN [extra JMH options]   (defaults: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PATTERN="${1:?usage: bench/jmh.sh PATTERN [JMH options]}"
shift
source <(sed -n '/^java_major()/,/^}/p; /^find_jdk()/,/^}/p' ./tide)
export JAVA_HOME="$(find_jdk)"
./mvnw -B -q -pl bench -am install -DskipTests -Dcheckstyle.skip >/dev/null
CP="bench/target/classes:$(ls bench/target/lib/*.jar | tr '\n' ':')"
OUT="$(mktemp)"
"$JAVA_HOME/bin/java" -cp "$CP" org.openjdk.jmh.Main "$PATTERN" -f 1 -wi 3 -i 5 -w 1s -r 1s -rf csv -rff "$OUT" "$@"
echo
echo "Summary (JMH average ns per operation, +/- the 99.9% confidence half-width):"
awk -F, 'NR > 1 { gsub(/"/, ""); name = $1; sub(/.*\./, "", name); printf "  %-26s %10.1f ns  (+/- %.1f)\n", name, $5, $6;
  if (name == "tick10kRevisions") printf "  %-26s %10.2f ms of CPU per 2 s tick for 10,000 revisions (%.2f%% of one core)\n", "=> tick", $5 * 10000 / 1e6, $5 * 10000 / 2e9 * 100 }' "$OUT"
rm -f "$OUT"
