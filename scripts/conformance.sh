#!/usr/bin/env bash
# The W3C SHACL test suite against this checkout: pyshacl direct, `paradip-kg validate`, POST /validate.
#
#   scripts/conformance.sh SUITE_DIR [--modes direct,cli,web] [--only SUBSTRING]
#
# SUITE_DIR is the `data-shapes-test-suite` folder of the W3C data-shapes repository, exported
# into a scratch folder (docs/conformance.md says how). This script fetches nothing and writes
# nothing into the checkout; the suite's files are W3C's and are never committed.
set -euo pipefail
if [[ $# -lt 1 || ! -d "$1/tests/core" ]]; then
  echo "usage: scripts/conformance.sh SUITE_DIR [--modes direct,cli,web] [--only SUBSTRING]" >&2
  echo "  SUITE_DIR: the data-shapes-test-suite folder (with tests/core); see docs/conformance.md" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
suite="$(cd "$1" && pwd)"
shift
python="${PYTHON:-$here/.venv/bin/python}"
cd "$here"
exec "$python" scripts/w3c_shacl.py "$suite" "$@"
