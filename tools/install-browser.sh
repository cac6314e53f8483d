#!/usr/bin/env bash
# Installs the browser the map tests drive (tests/test_maps_browser.py): Debian's chromium, plus a small
# CJK font so screenshots show Chinese labels. Idempotent: does nothing when /usr/bin/chromium exists.
# Playwright's own browser download is never used (no downloads outside the package registries).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-browser.sh: run as root (or install sudo) to apt-get install chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei
/usr/bin/chromium --version
