#!/usr/bin/env bash
# Every test of Lanes: starts the real brokers the integration tests need (installing them on a
# fresh machine), then builds and tests all modules. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/brokers.sh start
mvn -B verify "$@"
