#!/usr/bin/env bash
# The static files the app serves offline, from the npm packages pinned in assets/package-lock.json:
#   src/paradip_kg/static/vendor/editor.js        the query editor (CodeMirror 6 + SPARQL), one file
#   src/paradip_kg/static/vendor/world-atlas/countries-110m.json   country shapes (world-atlas)
#   src/paradip_kg/static/vendor/topojson-client.min.js            TopoJSON to GeoJSON
#   src/paradip_kg/static/vendor/axe.min.js       the accessibility checker (tests/browser/)
# Run by `make setup`, `make serve` and `make test` (the Makefile's vendor stamp). The folder is
# not in git. Without Node the script says so and stops: the pages still work (a plain textarea).
# Idempotent: `npm ci` runs only when the lock file is newer than what is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=assets
out=src/paradip_kg/static/vendor
if ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  if command -v apt-get >/dev/null; then
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm || true
  fi
fi
if ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
  echo "scripts/assets.sh: Node.js and npm are missing; the query page falls back to a plain textarea" >&2
  exit 1
fi
if [ ! -f "$kit/node_modules/.package-lock.json" ] || [ "$kit/package-lock.json" -nt "$kit/node_modules/.package-lock.json" ]; then
  (cd "$kit" && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$out/world-atlas"
"$kit/node_modules/.bin/esbuild" "$kit/editor.mjs" --bundle --minify --format=iife --global-name=ParadipCM \
  --target=es2019 --legal-comments=none --log-level=warning --outfile="$out/editor.js"
cp "$kit/node_modules/world-atlas/countries-110m.json" "$out/world-atlas/countries-110m.json"
cp "$kit/node_modules/topojson-client/dist/topojson-client.min.js" "$out/topojson-client.min.js"
cp "$kit/node_modules/axe-core/axe.min.js" "$out/axe.min.js"
# The licences of what is served, next to it.
for pkg in @codemirror/state @codemirror/view @codemirror/language @codemirror/autocomplete \
           @codemirror/commands @codemirror/lint @codemirror/search @lezer/common @lezer/highlight @lezer/lr \
           codemirror-lang-sparql style-mod crelt w3c-keyname world-atlas topojson-client axe-core; do
  lic=$(ls "$kit/node_modules/$pkg"/LICEN[CS]E* 2>/dev/null | head -1 || true)
  if [ -n "$lic" ]; then echo "== $pkg"; cat "$lic"; echo; fi
done > "$out/LICENSES.txt"
