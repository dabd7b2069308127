#!/usr/bin/env bash
# System tools some tests drive for real: Chromium (browser tests; CHROMIUM_PATH or Debian's
# /usr/bin/chromium), xmllint (BPMN XSD validation) and MariaDB's server binaries (the fault
# suites start a private server they can stop; no running server is needed). Installs Debian's packages when missing
# and we are root on a Debian-like system; otherwise says what to install. Idempotent.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$browser" ] || missing+=(chromium)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
{ command -v mariadb-install-db || command -v mysql_install_db; } >/dev/null 2>&1 || missing+=(mariadb-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-tools: installing Debian packages: ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "ensure-test-tools: missing ${missing[*]}; install these Debian packages (or set CHROMIUM_PATH) to run the tests." >&2
exit 1
