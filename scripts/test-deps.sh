#!/usr/bin/env bash
# Install what the test suite needs beyond Python packages (system packages, npm tools).
# Idempotent: each step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."
exit 0
