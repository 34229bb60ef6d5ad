# One venv per checkout; every target installs what it needs from pyproject.toml, and no more:
# the demo needs the package alone, the tests also the dev tools, Dask and the peers.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-clkhash check bench bench-save bench-compare clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# What `make demo` runs: the package and its own dependencies.
$(VENV)/.demo: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# What the tests need besides: dev tools, Dask, and the peer matchers. The peers need
# PyICU, which compiles against ICU (Debian: libicu-dev); without it they are left out
# and their tests skip.
$(VENV)/.test: pyproject.toml $(VENV)/.demo
	$(BIN)/pip install -q -e '.[dev,dask]'
	$(BIN)/pip install -q -e '.[peers]' || echo "peer matchers not installed (PyICU needs ICU: apt-get install libicu-dev pkg-config)"
	touch $@

# clkhash cannot share the test venv with the peers (pyproject.toml says why): a venv of
# its own, for the test that checks our Bloom filters against the reference encoder; the
# test tools only, not the browser driver (167 MB a CI clone need not hold twice).
CLK_VENV := .venv-clk
$(CLK_VENV)/.test: pyproject.toml
	$(PY) -m venv $(CLK_VENV)
	$(CLK_VENV)/bin/pip install -q --upgrade pip
	$(CLK_VENV)/bin/pip install -q -e '.[test,clkhash]'
	touch $@

demo: $(VENV)/.demo
	$(BIN)/screening run

test: $(VENV)/.test test-clkhash
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

test-clkhash: $(CLK_VENV)/.test
	$(CLK_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/test_clkhash_peer.py

check: test

bench: $(VENV)/.test
	$(BIN)/python benchmarks/generate_speed.py national-day

# Stage timings with pytest-benchmark, saved under benchmarks/results (one JSON per run,
# committed) so that a regression shows as a comparison with the last saved run.
BENCH_STAGES := $(BIN)/python -m pytest benchmarks/test_bench_screen.py --benchmark-only \
	-p no:cacheprovider --benchmark-storage=file://benchmarks/results

bench-save: $(VENV)/.test
	$(BENCH_STAGES) --benchmark-save=$(or $(NAME),run)

bench-compare: $(VENV)/.test
	$(BENCH_STAGES) --benchmark-compare --benchmark-compare-fail=mean:25%

clean:
	rm -rf $(VENV) $(CLK_VENV) out
