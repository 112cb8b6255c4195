# loyaltysim — set-up, the main job, tests, benchmarks.
# `make run` and `make test` work on a fresh clone: they find a Python >= 3.12,
# create .venv and install the package with its dev and notebook extras.

VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
RESULTS   := results
REPLICATIONS ?= 20
SEED      ?= 2026

.PHONY: setup run test lint format bench bench-sweep clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@py=$$(PYTHON="$(PYTHON)" sh tools/find-python) || exit 1; \
	echo "Using $$py ($$($$py --version))"; \
	[ -x $(BIN)/python ] || $$py -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks]"
	@touch $(STAMP)

## The main job: compare the four named policies on the default market.
run: setup
	@mkdir -p $(RESULTS)
	$(BIN)/loyaltysim compare --replications $(REPLICATIONS) --seed $(SEED) \
		--figure $(RESULTS)/compare.png --csv $(RESULTS)/compare.csv

## Lint, unit and statistical tests, and every notebook through nbval.
test: setup
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider

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

clean:
	rm -rf $(VENV) $(RESULTS) build src/*.egg-info .pytest_cache
