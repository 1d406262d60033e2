# Every target sets itself up: a fresh machine needs nothing but Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# PyAirbyte (Airbyte's Python client) pins its own dependency tree, so it gets a virtualenv of its own.
PA_VENV  := .venv-pyairbyte
PA_STAMP := $(PA_VENV)/.installed-stamp
# The manifest-only runtime as Airbyte runs it: a virtualenv holding airbyte-cdk alone (the version pyproject pins),
# without this package, where the manifest-only build runs through the CDK's source-declarative-manifest.
MO_VENV  := .venv-manifest-only
MO_STAMP := $(MO_VENV)/.installed-stamp
CDK_PIN  := $(shell sed -n 's/.*"\(airbyte-cdk==[^"]*\)".*/\1/p' pyproject.toml)
# The live tiers mostly wait (on the sandbox's faults, on timeouts, on the documented retry waits): four test files
# run side by side on two cores, each file on one worker so that its module-scoped syncs run once (timed tests
# compare with a reference from the same run, not with the clock alone). XDIST= runs them one at a time.
XDIST ?= -n 4 --dist loadfile

.PHONY: demo test unit e2e fixtures bench sandbox wheel pyairbyte image bundle manifest-only clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the connector and its test tools into $(VENV) ..." >&2
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

$(PA_STAMP): integration_tests/pyairbyte-requirements.txt
	@test -x $(PA_VENV)/bin/python || $(PYTHON) -m venv $(PA_VENV)
	@echo "Installing PyAirbyte into $(PA_VENV) ..." >&2
	@$(PA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r integration_tests/pyairbyte-requirements.txt
	@touch $(PA_STAMP)

$(MO_STAMP): pyproject.toml
	@test -x $(MO_VENV)/bin/python || $(PYTHON) -m venv $(MO_VENV)
	@echo "Installing $(CDK_PIN) alone into $(MO_VENV) (the manifest-only runtime) ..." >&2
	@$(MO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(MO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check '$(CDK_PIN)'
	@touch $(MO_STAMP)

## bundle: write the manifest-only build, dist/manifest-only/manifest.yaml (every schema inline) and components.py
## (one self-contained file), for source-declarative-manifest and the Connector Builder (README, "Run it without
## building an image")
bundle: $(STAMP)
	@$(BIN)/python -m bundle --out dist/manifest-only

## manifest-only: the manifest-only build and a virtualenv holding airbyte-cdk alone to run it, .venv-manifest-only
## (README, "Run it without building an image")
manifest-only: $(MO_STAMP) bundle

## pyairbyte: PyAirbyte in its own virtualenv, .venv-pyairbyte (docs/analytics.md, "Using the connector from Python")
pyairbyte: $(PA_STAMP)

## demo: start the sandbox API and sync every stream of every profile into a DuckDB file
demo: $(STAMP)
	@$(BIN)/python -m demo

## test: unit tests, end-to-end tests against the sandbox, and Airbyte's standard connector tests; with a Docker
## engine also the image tests, on the image `make image` builds first (without one they skip; under CI=true, fail)
test: $(STAMP) $(PA_STAMP) $(MO_STAMP)
	@if docker info >/dev/null 2>&1; then $(MAKE) --no-print-directory image; \
	else echo "No Docker engine answers \`docker info\`: the image tests will skip (under CI=true: fail)"; fi
	@$(BIN)/python -m pytest -p no:cacheprovider --connector-image=$(IMAGE) $(XDIST) --durations=15

## unit: the in-process tier (pytest -m unit): HTTP mocked, no process, no server, no real wait; about 20 s
unit: $(STAMP)
	@$(BIN)/python -m pytest -p no:cacheprovider -m unit -n 2 unit_tests

## e2e: the sandbox over real HTTP, the installed command and the wheel (pytest -m e2e; the image tests are in `test`)
e2e: $(STAMP) $(PA_STAMP) $(MO_STAMP)
	@$(BIN)/python -m pytest -p no:cacheprovider -m e2e $(XDIST)

## fixtures: write the standard tests' scenario files (sample configs, catalogs, acceptance-test-config.yml, ...)
## from the sandbox's registry and `discover` (integration_tests/scenarios.py)
fixtures: $(STAMP)
	@$(BIN)/python -m integration_tests.scenarios

## bench: records/s, peak memory, sync time against the critical path, request counts and pacing against the
## sandbox, one table (about 10 min; `make bench BENCH_ARGS=--quick` is a one-minute smoke run, see docs/performance.md)
bench: $(STAMP)
	@$(BIN)/python -m bench $(BENCH_ARGS)

## sandbox: serve every API profile on http://127.0.0.1:8765 (SANDBOX_PORT) until Ctrl-C; writes a ready config per
## profile and the sandbox's credentials to .sandbox/ and prints each profile's base URL and config path
SANDBOX_PORT ?= 8765
sandbox: $(STAMP)
	@$(BIN)/python -m sandbox --port $(SANDBOX_PORT) --configs .sandbox

## wheel: build the connector's wheel into dist/ (install it with: pip install dist/source_analytics-*.whl)
DIST ?= dist
wheel: $(STAMP)
	@rm -f $(DIST)/source_analytics-*.whl
	@$(BIN)/python -m pip wheel --no-deps --disable-pip-version-check --quiet --wheel-dir $(DIST) .
	@ls $(DIST)/source_analytics-*.whl

## image: build the connector image source-analytics:dev from the Dockerfile (on a stand-in of Airbyte's base
## image, built from Debian packages, where the registry cannot be reached; see README, Docker image)
IMAGE ?= source-analytics:dev
image: $(STAMP)
	@IMAGE=$(IMAGE) PYTHON=$(BIN)/python bash ci/image/build.sh

clean:
	rm -rf $(VENV) $(PA_VENV) $(MO_VENV) .demo .sandbox build dist *.egg-info
