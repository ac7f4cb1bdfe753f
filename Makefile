# Two commands set everything up on a fresh machine:
#   make site   -> creates .venv if missing, installs the project, builds content/ into site/
#   make test   -> the same set-up with the test extras, then runs the test suite
# Every install takes its exact versions from requirements.lock (pip's -c), so a new upstream
# release cannot change a fresh clone; `make lock` refreshes the lock from pyproject's bounds.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BASE_URL ?= /
CONTENT ?= content
OUT ?= site
LOCK := requirements.lock
UV_VERSION := 0.13.9

.PHONY: site test check screenshots bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[test,bench]'
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

# The newest versions pyproject.toml allows, for Python 3.11 and up on every platform, resolved by uv.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 --upgrade \
	  --no-header --quiet --output-file $(LOCK)
	@sed -i '1i # The exact versions every install uses (make site, make test, CI, the Pages workflow).\n# Made by `make lock` (uv pip compile) from the bounds in pyproject.toml: do not edit by hand.' $(LOCK)

clean:
	rm -rf $(OUT) .cache
