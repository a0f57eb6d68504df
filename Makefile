# Two commands on a fresh machine (python3 with venv):
#   make run    -> set up, then start the service on SQLite with a demo (users printed, a simulated lane feeding it)
#   make test   -> set up and run all tests (ruff + pytest)
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run identify-samples test lint bench clean

$(BIN)/radnuc: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/radnuc

setup: $(BIN)/radnuc

SAMPLES := $(shell ls tests/data/radiacode/*.xml | grep -v invalid)

run: setup
	$(BIN)/radnuc demo --serve --dir radnuc-demo

identify-samples: setup
	$(BIN)/radnuc identify --background tests/data/radiacode/bg.xml $(SAMPLES)

lint: setup
	$(BIN)/ruff check src tests bench

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/bench_read.py
	$(BIN)/python bench/bench_identify.py --out docs/benchmarks-identify.md
	$(BIN)/python bench/bench_detect.py
	$(BIN)/python bench/bench_protect.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
