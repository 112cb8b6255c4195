# loyaltysim — set-up, the main job, tests, benchmarks.
# `make run` and `make test` work on a fresh clone: they find a Python >= 3.12,
# create .venv and install the package with its dev, notebook, app and browser extras.

VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
RESULTS   := results
REPLICATIONS ?= 20
SEED      ?= 2026

.PHONY: setup run test lint format bench bench-sweep clean browser paper

setup: $(STAMP)

$(STAMP): pyproject.toml
	@py=$$(PYTHON="$(PYTHON)" sh tools/find-python) || exit 1; \
	echo "Using $$py ($$($$py --version))"; \
	[ -x $(BIN)/python ] || $$py -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks,app,browser]"
	@touch $(STAMP)

## The main job: compare the four named policies on the default market.
run: setup
	@mkdir -p $(RESULTS)
	$(BIN)/loyaltysim compare --replications $(REPLICATIONS) --seed $(SEED) \
		--figure $(RESULTS)/compare.png --csv $(RESULTS)/compare.csv

## Lint, unit and statistical tests, and every notebook through nbval.
test: setup browser
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider

## Debian's chromium for the app's browser test (tests/test_app.py); Playwright's own
## browser download is not used. Installed only where it is missing and we are root.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y --no-install-recommends chromium; \
		else \
			echo "note: /usr/bin/chromium is missing: the app's browser test will skip" \
				"(fail where CI is set); on Debian, as root: apt-get install chromium"; \
		fi; \
	fi

lint: setup
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

format: setup
	$(BIN)/ruff format src tests benchmarks tools
	$(BIN)/ruff check --fix src tests benchmarks tools

## Throughput of the array model (customer-months per second).
bench: setup
	$(BIN)/python benchmarks/throughput.py

# 1,000 runs of the default market on 1 and 2 workers (a few minutes)
bench-sweep: setup
	$(BIN)/python benchmarks/sweep.py --runs 1000 --workers 1 2

## Every table and figure of papers/paper.md, regenerated from scratch (a few minutes).
paper: setup
	PYTHONPATH=tools $(BIN)/python -m paper

clean:
	rm -rf $(VENV) $(RESULTS) build src/*.egg-info .pytest_cache
