# Every target sets itself up: a fresh machine needs nothing but Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test unit e2e bench sandbox clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the connector and its test tools into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

## demo: start the sandbox API and sync every stream of every profile into a DuckDB file
demo: $(STAMP)
	@$(BIN)/python -m demo

## test: unit tests, end-to-end tests against the sandbox, and Airbyte's standard connector tests
test: $(STAMP)
	@$(BIN)/python -m pytest -p no:cacheprovider

unit: $(STAMP)
	@$(BIN)/python -m pytest -p no:cacheprovider unit_tests

e2e: $(STAMP)
	@$(BIN)/python -m pytest -p no:cacheprovider integration_tests

## bench: records/s, peak memory and request counts against the sandbox
bench: $(STAMP)
	@$(BIN)/python -m bench

## sandbox: serve the five APIs on http://127.0.0.1:8765 until Ctrl-C
sandbox: $(STAMP)
	@$(BIN)/python -m sandbox --port 8765

clean:
	rm -rf $(VENV) .demo build dist *.egg-info
