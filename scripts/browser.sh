#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/test_web_browser.py), which drive it with
# Playwright for Python at /usr/bin/chromium (never `playwright install`: no downloaded
# browser). Installs the `chromium` package when it is missing; idempotent.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    /usr/bin/chromium --version 2>/dev/null || true
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "browser: /usr/bin/chromium is missing; run this script as root to install it (apt-get install -y chromium)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version 2>/dev/null || true
