#!/usr/bin/env bash
# Builds the Python package into .venv (at the repository root) and runs its tests:
# pytest (golden vectors, DataFrames, errors, pickling, doctests) and mypy.stubtest.
# Idempotent: a warm re-run reuses the venv, the installed tools and cargo's build cache.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
py=.venv/bin/python

# Install the tools only when one is missing or maturin is not 1.16.x (pandas-stubs: the
# stub names pandas.DataFrame, and stubtest type-checks it; openpyxl: tests/test_xlsx.py checks
# the .xlsx files with a library other than ours).
if ! "$py" -m pip show --quiet pytest pandas pandas-stubs mypy openpyxl tqdm >/dev/null 2>&1 \
  || ! .venv/bin/maturin --version 2>/dev/null | grep -q '^maturin 1\.16\.'; then
  "$py" -m pip install --quiet --disable-pip-version-check 'maturin>=1.16,<1.17' pytest pandas pandas-stubs mypy openpyxl tqdm
fi

# `maturin develop` finds .venv at the root; it builds the abi3 extension and installs the
# package in editable mode (the .so lands in bindings/python/python/parindex/, gitignored).
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop --release --quiet -m bindings/python/Cargo.toml

"$py" -m pytest bindings/python/tests -q -p no:cacheprovider
# The stub is hand-kept: stubtest checks it against the built module (no allowlist needed).
MYPY_CACHE_DIR="${CARGO_TARGET_DIR:-target}/mypy_cache" "$py" -m mypy.stubtest parindex
