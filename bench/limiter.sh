#!/usr/bin/env bash
# The request path's bookkeeping: a containerConcurrency slot taken and returned (1 and 2 threads), a request recorded.
exec "$(dirname "${BASH_SOURCE[0]}")/jmh.sh" LimiterBenchmark "$@"
