#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing and this machine allows it
# (root with apt-get). Each argument is PACKAGE:COMMAND, the command telling whether it is installed
# (e.g. dcmtk:storescu). Never fails the build: a package it cannot install is named on one line, and
# the tests that need it skip with the same line (test/support/system-tools.ts).
# Usage: scripts/ensure-debian-packages.sh dcmtk:storescu [chromium:chromium ...]
set -uo pipefail

missing=()
for spec in "$@"; do
  package=${spec%%:*}
  command=${spec#*:}
  command -v "$command" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  for package in "${missing[@]}"; do
    echo "not installing $package (needs root and apt-get): its tests will skip (apt-get install $package)"
  done
  exit 0
fi

echo "installing ${missing[*]} (apt-get) for the tests that need it"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp -t kerma-apt.XXXXXX)
apt=(apt-get -qq -o DPkg::Lock::Timeout=600)  # waits for another apt run instead of failing
if { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  rm -f "$log"
else
  echo "apt-get could not install ${missing[*]} (its output: $log): their tests will skip"
fi
exit 0
