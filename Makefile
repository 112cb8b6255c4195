# loyaltysim — set-up, the main job, checks, tests, benchmarks, the paper.
# `make run` and `make test` work on a fresh clone: they find a Python >= 3.12,
# create .venv and install the package with its dev, notebook, app, browser, report, fit,
# search and ema extras.

VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
RESULTS   := results
REPLICATIONS ?= 20
SEED      ?= 2026
LINTED    := src tests benchmarks tools
# The fast lane of `make check`: every test not marked slow, outside the statistical
# and system suites and the notebooks.
FAST      := tests/unit tests/mechanisms tests/docs
# Seconds one notebook cell may run under `make test` before nbval fails it: a hung kernel
# fails in minutes, not never. The slowest cell (notebook 06's sweep) takes about 90 s.
NBVAL_CELL_TIMEOUT ?= 300

.PHONY: setup setup-browser setup-cdnow run check test lint typecheck format bench bench-sweep bench-cdnow clean paper

setup: $(STAMP)

$(STAMP): pyproject.toml
	@py=$$(PYTHON="$(PYTHON)" sh tools/find-python) || exit 1; \
	echo "Using $$py ($$($$py --version))"; \
	[ -x $(BIN)/python ] || $$py -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks,app,browser,report,fit,search,ema]"
	@touch $(STAMP)

## Debian's chromium for the app's browser test (tests/system/test_app.py); Playwright's own
## browser download is not used. Installed only where it is missing and we are root; without
## it the browser test skips (and fails where CI is set).
setup-browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y --no-install-recommends chromium; \
		else \
			echo "note: /usr/bin/chromium is missing: the app's browser test will skip" \
				"(fail where CI is set); on Debian, as root: apt-get install chromium"; \
		fi; \
	fi

## The main job: compare the four named policies on the default market.
run: setup
	@mkdir -p $(RESULTS)
	$(BIN)/loyaltysim compare --replications $(REPLICATIONS) --seed $(SEED) \
		--figure $(RESULTS)/compare.png --csv $(RESULTS)/compare.csv

## Before every commit (under a minute): lint, format, types and the fast tests.
check: setup lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow" $(FAST)

## The full suite, CI's command: the checks, every test and every notebook through nbval,
## spread over the machine's cores (one test file per worker at a time); then the app's
## browser test alone, so that its server does not start on a machine busy with the rest.
test: setup lint typecheck
	$(BIN)/python -m pytest --nbval-lax --nbval-cell-timeout=$(NBVAL_CELL_TIMEOUT) -p no:cacheprovider \
		-n auto --dist loadfile -m "not browser"
	$(BIN)/python -m pytest -q -p no:cacheprovider -m browser tests/system/test_app.py

lint: setup
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: setup
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

## Throughput of the array model (customer-months per second).
bench: setup
	$(BIN)/python benchmarks/throughput.py

## loyaltysim and BG/NBD on the CDNOW data set in one run; writes papers/data/cdnow.json, which
## the paper reads where pymc-marketing is missing. BG/NBD needs pymc-marketing (the cdnow
## extra), which is not part of `make setup`: pymc-marketing pins numpy < 2.5, while the
## package's published numbers come from numpy 2.5, so it goes into the environment only on
## request; its test skips without it.
setup-cdnow: setup
	$(BIN)/python -m pip install --quiet -e ".[cdnow]"

bench-cdnow: setup-cdnow
	$(BIN)/python benchmarks/cdnow.py --json papers/data/cdnow.json

# 1,000 runs of the default market on 1 and 2 workers (a few minutes)
bench-sweep: setup
	$(BIN)/python benchmarks/sweep.py --runs 1000 --workers 1 2

## Every table and figure of papers/paper.md, regenerated from scratch, then its PDF
## (papers/paper.pdf) and the versions of the build (papers/provenance.md), both untracked:
## the tree stays clean.
paper: setup
	PYTHONPATH=tools $(BIN)/python -m paper

clean:
	rm -rf $(VENV) $(RESULTS) build src/*.egg-info .pytest_cache .mypy_cache
