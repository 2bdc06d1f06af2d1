# Every target sets up what it needs: the virtualenv, and the package installed in it
# whenever pyproject.toml changes.

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# bench/ joins the lint paths once it holds Python files (ruff fails on a missing path).
LINT_PATHS := src tests $(if $(shell find bench -name '*.py' -print -quit 2>/dev/null),bench)

.PHONY: run test lint fmt bench

run: $(STAMP)
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

$(BIN)/python:
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[dev]"
	touch $@
