#!/usr/bin/env bash
# The autoscaler's benchmarks: one decision, one recorded sample, a 2 s tick of 10,000 revisions.
exec "$(dirname "${BASH_SOURCE[0]}")/jmh.sh" AutoscalerBenchmark "$@"
