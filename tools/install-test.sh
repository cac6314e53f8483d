#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: the package with its test extras and
# Debian's chromium for the browser tests of the maps.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test]"
bash tools/install-browser.sh
