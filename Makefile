# One venv per checkout; every target installs what it needs from pyproject.toml.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test check bench clean

# The peer matchers (extra `peers`) need PyICU, which compiles against ICU (Debian:
# libicu-dev); without it they are left out and their tests skip.
$(BIN)/screening: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,dask]'
	$(BIN)/pip install -q -e '.[peers]' || echo "peer matchers not installed (PyICU needs ICU: apt-get install libicu-dev pkg-config)"
	touch $@

demo: $(BIN)/screening
	$(BIN)/screening run

test: $(BIN)/screening
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

check: test

bench: $(BIN)/screening
	$(BIN)/python benchmarks/generate_speed.py national-day

clean:
	rm -rf $(VENV) out
