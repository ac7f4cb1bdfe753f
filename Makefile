# Two commands set everything up on a fresh machine:
#   make site   -> creates .venv if missing, installs the project, builds content/ into site/
#   make test   -> the same set-up with the test extras, then runs the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BASE_URL ?= /
CONTENT ?= content
OUT ?= site

.PHONY: site test check screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

site: $(VENV)/.installed
	$(BIN)/symposium build --content $(CONTENT) --out $(OUT) --base-url $(BASE_URL)

check: $(VENV)/.installed
	$(BIN)/symposium check --content $(CONTENT)

test: $(VENV)/.installed-test
	@if [ ! -d node_modules/axe-core ]; then \
	  if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; \
	  else echo "npm not found: the axe-core accessibility tests will be skipped"; fi; \
	fi
	$(BIN)/python -m pytest

screenshots: $(VENV)/.installed-test site
	$(BIN)/python tests/screenshots.py $(OUT) screenshots

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(OUT) .cache
