#!/usr/bin/env bash
# Installs what building, testing and demonstrating ifpin needs on Debian/Ubuntu, and nothing that is already there:
#   ip (iproute2)      network namespaces and veth pairs for the tests and the demo
#   setpriv (util-linux) running a test JVM unprivileged, to reproduce EPERM for real
#   mvn (maven), java/javac (JDK 17)
#   getpcaps, capsh (libcap2-bin), nsenter, findmnt, runuser (util-linux): DocCommandsIT runs the docs' diagnostics
#   /usr/bin/time (time): GNU time, the startup matrix's peak RSS (bench/harness.sh, BenchHarnessIT)
#   systemd-analyze (systemd), python3 with PyYAML: DeploymentRecipesIT checks docs/deployment.md's systemd unit
#                      and Kubernetes YAML with them (nothing is started: systemd does not run here)
# Temurin 25, used by the tests as the second JDK, is looked up under /usr/lib/jvm/temurin-25*; it is not a Debian
# package. Safe to run again: it does nothing when everything is present.
set -euo pipefail

declare -A package_for=(
  [ip]=iproute2
  [setpriv]=util-linux
  [mvn]=maven
  [javac]=openjdk-17-jdk-headless
  [systemd-analyze]=systemd
  [getpcaps]=libcap2-bin
  [capsh]=libcap2-bin
  [python3]=python3
)

missing=()
for command in "${!package_for[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${package_for[$command]}")
done
# `time` is also a shell keyword, so `command -v time` cannot tell whether GNU time is installed.
[ -x /usr/bin/time ] || missing+=(time)
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import yaml' >/dev/null 2>&1; then
  missing+=(python3-yaml)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ifpin needs: ${missing[*]}. Install them as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
