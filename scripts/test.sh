#!/usr/bin/env bash
# Every test of Lanes: starts the real brokers the integration tests need (installing them on a
# fresh machine), then builds, tests and installs all modules into the local Maven repository
# (the plugin template's test builds a plugin against the installed artifacts, as a user would),
# checks that the benchmarks still run (scripts/bench.sh tiny, a few seconds),
# and last runs the README's first command, bin/demo, as on a fresh machine: a clean copy of
# this checkout with an empty Maven repository (scripts/fresh-demo.sh).
# Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/brokers.sh start
# two modules at a time: the transports' suites wait mostly on their brokers, and no two modules
# that may run together restart the same broker (amqp restarts RabbitMQ, nsq its nsqd)
mvn -B -T 2 install "$@"
BENCH_NO_BUILD=1 scripts/bench.sh tiny   # the benchmarks still run (seconds; docs/benchmarks.md)
scripts/fresh-demo.sh
