# The two commands: `make demo` and `make test`. Each bootstraps .venv on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LINTED := cmmm tests benchmarks $(wildcard sample_inventories/*.py)

.PHONY: demo test test-fast lint typecheck unit fuzz bench bench-dask bench-startup clean browser-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cmmm demo

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy cmmm

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

test: lint typecheck unit

# While developing: the suite without the tests marked slow (headless browsers, whole sample folders, the
# level-4 organization read on both cores); `make test` runs everything.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

# The fuzz suite at its long budget (tests/fuzz; `make test` runs it for 20 s). CMMM_FUZZ_SEED picks the
# seed; a failure names its case and keeps the file in pytest's temporary folder.
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	CMMM_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -q -s tests/fuzz

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The Dask path beside the in-process one: dataset write/read, drill Monte Carlo on local:2, and the census of
# 1M and 10M certificates bucket by bucket on local:2 (benchmarks/README.md).
bench-dask: $(STAMP)
	PYTHONPATH=. $(BIN)/python benchmarks/dask_bench.py --certs 1000000
	PYTHONPATH=. $(BIN)/python benchmarks/census_bench.py --certs 1000000 --out benchmarks/census_1m.json
	PYTHONPATH=. $(BIN)/python benchmarks/census_bench.py --certs 10000000 --out benchmarks/census_10m.json

# How fast `cmmm --help`, `--version` and `scenarios` answer, beside `python -c pass` (benchmarks/README.md).
bench-startup: $(STAMP)
	$(BIN)/python benchmarks/startup.py

# Debian's chromium for the report's browser tests (needs root; the tests skip with a reason without it).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
