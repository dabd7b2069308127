#!/usr/bin/env bash
# The browser tests drive a real Chromium. Use CHROMIUM_PATH or Debian's /usr/bin/chromium;
# install Debian's package when missing and we are root on a Debian-like system. Idempotent.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: installing Debian's chromium for the browser tests" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "ensure-browser: no Chromium at $browser. Install Debian's 'chromium' package (or set CHROMIUM_PATH) to run the browser tests." >&2
exit 1
