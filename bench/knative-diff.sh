#!/usr/bin/env bash
# Tide's KPA against Knative Serving's own autoscaler code (knative.dev/serving v0.50.0, built from the Go module
# proxy) on many seeded random traces: identical desired scale, excess burst capacity, validity and panic state at
# every tick. CI runs 300 traces; this runs TRACES (default 5000) with SEED (default: a new one each run).
# Usage: bench/knative-diff.sh [TRACES] [SEED]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source <(sed -n '/^java_major()/,/^}/p; /^find_jdk()/,/^}/p' ./tide)
export JAVA_HOME="$(find_jdk)"
./mvnw -B -q -ntp -pl tide-autoscaler -am install -DskipTests -Dcheckstyle.skip >/dev/null
traces="${1:-5000}"
seed="${2:-$RANDOM$RANDOM}"
echo "traces=$traces seed=$seed"
./mvnw -B -q -ntp test -pl tide-autoscaler -Dtest=KnativeDifferentialTest -Dcheckstyle.skip \
  -Dtide.knativeTraces="$traces" -Dtide.knativeSeed="$seed"
echo "identical on $traces traces (seed $seed)"
