#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: the package with its test extras, and
# Debian's chromium with a CJK font for the browser tests of the maps and reports (tools/install-browser.sh
# installs each of the two that is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test]"
bash tools/install-browser.sh
