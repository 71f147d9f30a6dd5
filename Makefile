# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install data clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

data: $(STAMP)
	$(BIN)/codedesk db upgrade
	$(BIN)/codedesk data prepare

run: data
	$(BIN)/codedesk run

test: $(STAMP)
	$(BIN)/python -m pytest -n 4

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Benchmarks live in bench/ (not packaged); each prints numbers.
bench: data
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.slack --workers 1,2
	$(BIN)/python -m bench.digest
	$(BIN)/python -m bench.edits
	$(BIN)/python -m bench.coverage
	$(BIN)/python -m bench.assistant
	$(BIN)/python -m bench.cases

clean:
	rm -rf $(VENV) var
