# Every target sets up what it needs: the virtualenv, and the package installed in it
# whenever pyproject.toml changes. `run` installs only the service and its runtime
# dependencies (a fast first start); `test`, `lint` and `bench` add the dev extras.

VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
STAMP  := $(VENV)/.installed-dev

# bench/ joins the lint paths once it holds Python files (ruff fails on a missing path).
LINT_PATHS := src tests $(if $(shell find bench -name '*.py' -print -quit 2>/dev/null),bench)

.PHONY: run test lint fmt bench screenshots

run: $(RUNTIME)
	$(BIN)/stockledger serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

# Every console page at 375 and 1400 px, for a reviewer (build/ is git-ignored).
screenshots: $(STAMP)
	$(BIN)/python -m tests.console.screenshots build/screenshots

$(BIN)/python:
	python3 -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[dev]"
	touch $@ $(RUNTIME)
