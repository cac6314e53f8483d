#!/usr/bin/env bash
# Installs what the browser tests drive (tests/test_maps_browser.py, tests/test_report.py): Debian's chromium
# and the WenQuanYi Micro Hei CJK font, so Chinese labels render as glyphs and not as empty boxes. Each is
# checked on its own and installed when missing, whatever else is present (a machine with chromium but no
# CJK font gets the font). Idempotent. Playwright's own browser download is never used.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
FONT_PACKAGE="fonts-wqy-microhei"

missing=()
if [ ! -x "$CHROMIUM" ]; then
    missing+=(chromium)
fi
if command -v dpkg >/dev/null 2>&1; then
    dpkg -s "$FONT_PACKAGE" >/dev/null 2>&1 || missing+=("$FONT_PACKAGE")
elif ! (command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -q .); then
    missing+=("$FONT_PACKAGE")
fi

if [ "${#missing[@]}" -eq 0 ]; then
    echo "chromium and the CJK font ($FONT_PACKAGE) already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-browser.sh: run as root (or install sudo) to apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig
if command -v fc-cache >/dev/null 2>&1; then
    fc-cache -f >/dev/null 2>&1 || true
fi
"$CHROMIUM" --version || true
