#!/usr/bin/env bash
# The README's test command: unit tests, the packaged jar's shape, and the network-namespace integration tests on
# JDK 17 and Temurin 25. Run it as root, or the namespace tests are skipped (and with CI=true, fail).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec mvn -B verify "$@"
