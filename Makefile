# The two commands of the README's quick start:
#   make serve   set everything up, build the bundled knowledge graph and serve it
#   make test    set everything up and run the whole test suite
# and the checks CI runs before the tests:
#   make check   ruff and mypy (configured in pyproject.toml)
# Python packages are installed at the versions of constraints.txt (`make constraints` rewrites it).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: setup serve test check build bench constraints clean

# Serving needs the package alone; the tests and checks add the `dev` extra (pytest, Playwright,
# ruff, mypy). Each stamp is remade when pyproject.toml or constraints.txt changes.
$(VENV)/.installed-app: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-app
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# The static files the app serves offline (query editor, world map, axe-core): scripts/assets.sh
# from the npm packages of assets/package-lock.json into src/paradip_kg/static/vendor/ (not in git).
# Without Node the pages still work with a plain textarea, so a failed run does not stop serving.
VENDOR = src/paradip_kg/static/vendor/.installed
$(VENDOR): assets/package-lock.json assets/editor.mjs scripts/assets.sh
	./scripts/assets.sh && touch $@ || echo "make: static/vendor not built; the query page falls back to a plain textarea" >&2

setup: $(VENV)/.installed-dev $(VENDOR)

build: $(VENV)/.installed-app
	$(BIN)/paradip-kg build

# make serve PORT=9000 HOST=0.0.0.0 (or the settings' PARADIP_PORT, PARADIP_HOST)
serve: $(VENV)/.installed-app $(VENDOR)
	$(BIN)/paradip-kg build
	$(BIN)/paradip-kg serve $(if $(PORT),--port $(PORT)) $(if $(HOST),--host $(HOST))

test: setup
	./scripts/test-deps.sh
	$(BIN)/python -m pytest

check: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/bench_build.py

# After a change of the dependencies in pyproject.toml: install them (pip install -e '.[dev]'
# without -c), check that the tests pass, then pin what is installed.
constraints: setup
	{ sed -n '/^#/p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf var .pytest_cache
