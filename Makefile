# The two commands of the README's quick start:
#   make serve   set everything up, build the bundled knowledge graph and serve it
#   make test    set everything up and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: setup serve test build bench clean

$(BIN)/paradip-kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/paradip-kg

build: setup
	$(BIN)/paradip-kg build

serve: setup
	$(BIN)/paradip-kg serve

test: setup
	./scripts/test-deps.sh
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/bench_build.py

clean:
	rm -rf var .pytest_cache
