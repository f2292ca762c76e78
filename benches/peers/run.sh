#!/usr/bin/env bash
# sameas against Splink 5 (DuckDB), GoldenMatch and recordlinkage on the bench suite's files.
#
#   benches/peers/run.sh                                   # every tool, every fast dataset
#   benches/peers/run.sh --only synth_1m --tools sameas,splink
#   benches/peers/run.sh --help                            # the other options
#
# Makes benches/peers/.venv from requirements.txt (PyPI) on first use, builds the release
# CLI, then runs peers.py with the arguments given. Outputs go to target/peers/.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=benches/peers
venv=$here/.venv
python=${PYTHON:-python3}
stamp=$venv/.requirements
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi
# SAMEAS_BIN=PATH runs another build of the CLI instead of building this checkout.
[[ -n "${SAMEAS_BIN:-}" ]] || cargo build --release --quiet -p sameas-cli
exec "$venv/bin/python" "$here/peers.py" "$@"
