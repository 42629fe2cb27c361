#!/usr/bin/env bash
# Install what the test suite needs beyond Python packages (system packages, npm tools).
# Idempotent: each step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."
# Virtuoso Open Source 7 for tests/test_virtuoso.py (the remote-store tests).
./scripts/virtuoso.sh install
# SHACL cross-check engines for tests/test_crosscheck.py: Apache Jena SHACL from Debian's
# libapache-jena-java (tests/crosscheck/JenaBatch.java runs with the JDK's source launcher), and
# rdf-validate-shacl and shacl-engine from npm, installed into tests/crosscheck/node_modules
# exactly as tests/crosscheck/package-lock.json pins them.
crosscheck_engines() {
  local packages=() sudo=""
  dpkg -s libapache-jena-java >/dev/null 2>&1 || packages+=(libapache-jena-java)
  local modules=""
  command -v java >/dev/null && modules="$(java --list-modules 2>/dev/null || true)"
  if ! grep -q '^jdk\.compiler@' <<<"$modules"; then
    packages+=(default-jdk-headless)  # `java File.java` needs the compiler module
  fi
  { command -v node >/dev/null && command -v npm >/dev/null; } || packages+=(nodejs npm)
  # rapper (Debian raptor2-utils): an independent parser of our Turtle, RDF/XML and N-Triples
  # documents in tests/test_linked_data.py.
  command -v rapper >/dev/null || packages+=(raptor2-utils)
  if [ ${#packages[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}"
  fi
  local kit=tests/crosscheck
  if [ ! -f "$kit/node_modules/.package-lock.json" ] || [ "$kit/package-lock.json" -nt "$kit/node_modules/.package-lock.json" ]; then
    (cd "$kit" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
crosscheck_engines
# Comunica 4 (@comunica/query-sparql, pinned in tests/comunica/package.json; 5.x crashes on
# Node 20) for tests/test_comunica.py, a real Triple Pattern Fragments client over /fragments.
[ -d tests/comunica/node_modules ] || (cd tests/comunica && npm install --no-audit --no-fund --loglevel=error)
# Debian's Chromium for tests/browser/ (Playwright, from the `test` extra of pyproject.toml,
# drives /usr/bin/chromium headless; Playwright's own browser download cannot work here, so
# never `playwright install`).
browser_engine() {
  command -v chromium >/dev/null && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
}
browser_engine
exit 0
