#!/usr/bin/env bash
# Builds the release wheel for manylinux_2_28 (glibc 2.28 and newer: RHEL 8, Debian 10,
# Ubuntu 18.10 and later, what managed Spark clusters still run) from this repository and
# PyPI alone: zig links against glibc 2.28's symbols whatever the build machine's glibc.
# Then checks it: auditwheel must find the manylinux_2_28 tag, and the wheel, installed in
# the tool's virtual environment, must give the CLI's entities on the example file.
#
#     crates/python/build-manylinux.sh    # the wheel in target/wheels-manylinux/
#
# Needs Rust, Python 3.9+ and network access to PyPI; about 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/py-manylinux
out=target/wheels-manylinux
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r crates/python/requirements-manylinux.txt
rm -rf "$out"
# maturin runs zig through `python -m ziglang` of the interpreter on PATH.
PATH="$PWD/$venv/bin:$PATH" "$venv/bin/maturin" build --release --compatibility manylinux_2_28 \
    --zig -m crates/python/Cargo.toml --out "$out"
wheel=$(ls "$out"/sameas-*-manylinux_2_28_*.whl)
"$venv/bin/auditwheel" show "$wheel" | tee "$out/auditwheel.txt"
# auditwheel names the most compatible tag the wheel's symbols allow: it must be 2_28.
tr -s ' \n' ' ' < "$out/auditwheel.txt" | grep -q 'constrains the platform tag to "manylinux_2_28_'
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheel"
cargo run --release --quiet -p sameas-cli -- resolve examples/data/customers.csv \
    --out target/manylinux-check -q > /dev/null
"$venv/bin/python" - <<'PY'
import csv

import sameas

got = sameas.Resolver().resolve("examples/data/customers.csv").entities.to_pylist()
with open("target/manylinux-check/entities.csv", encoding="utf-8", newline="") as f:
    want = list(csv.DictReader(f))
pairs = lambda rows: sorted((r["record_id"], r["entity_id"]) for r in rows)
assert pairs(got) == pairs(want), "the manylinux wheel's entities differ from the CLI's"
print(f"manylinux_2_28 wheel checked: {len(got)} records, the CLI's entities")
PY
