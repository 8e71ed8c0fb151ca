#!/usr/bin/env bash
# compat-matrix.sh — rewrite the compatibility matrix of docs/compatibility.md from the records the
# integration tests leave in integration-tests/target/compat-results (PinningIT, both JDKs, both families).
#
# Usage:  scripts/test.sh            (or mvn -B verify; as root, so the namespace tests run)
#         scripts/compat-matrix.sh   rewrite the table; commit the result
#         scripts/compat-matrix.sh --check   change nothing; exit 1 if the table differs from the records
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
exec "$JAVA" scripts/CompatMatrix.java integration-tests/target/compat-results demo-app/target/lib \
  docs/compatibility.md "$@"
