# kpi-toolkit: every target does its own set-up on a fresh machine.
#   make demo   create .venv, install, score the built-in sample department, send its rating
#               forms out, fill them as its raters would, collect them and score again
#   make lint   ruff (lint and format) and mypy
#   make test   make lint, then the whole suite: unit, property, notebooks, browser, wheel
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
CONSTRAINTS := constraints.txt
PY := $(VENV)/bin/python
KPI := $(VENV)/bin/kpi
INSTALLED := $(VENV)/.installed
SYSTEM := $(VENV)/.system
SAMPLE := sample
FORMS := $(SAMPLE)/forms/2026-Q3

.PHONY: demo test test-slow lint bench install system sample reference clean

install: $(INSTALLED)

# pyproject.toml holds the ranges; constraints.txt the exact versions tested (the pins).
$(INSTALLED): pyproject.toml $(CONSTRAINTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev,spark]'
	@touch $@

# System packages: Debian's chromium (browser tests), a CJK font (charts) and a Java runtime
# (the Spark tests: PySpark's local mode).
$(SYSTEM): scripts/system-deps.sh | $(INSTALLED)
	bash scripts/system-deps.sh
	@touch $@

system: $(SYSTEM)

sample: $(INSTALLED)
	$(KPI) sample --out $(SAMPLE)

demo: $(INSTALLED) $(SYSTEM)
	$(KPI) sample --out $(SAMPLE)
	$(KPI) raters --scheme after_sales_team --roster $(SAMPLE)/roster.csv --period 2026-Q3 \
	  --out $(SAMPLE)/out/raters_2026-Q3.csv
	$(KPI) forms --scheme after_sales_team --roster $(SAMPLE)/roster.csv --period 2026-Q3 \
	  --out-dir $(FORMS)
	$(PY) -m kpi_toolkit.sample.fill_forms $(FORMS)
	$(KPI) collect --scheme after_sales_team --roster $(SAMPLE)/roster.csv --period 2026-Q3 \
	  --forms $(FORMS) --out $(SAMPLE)/out/ratings_collected_2026-Q3.csv
	$(KPI) score --scheme after_sales_team --data-dir $(SAMPLE) --sources sample_department \
	  --records-dir $(SAMPLE)/records --period 2026-Q3 \
	  --ratings $(SAMPLE)/out/ratings_collected_2026-Q3.csv \
	  --out $(SAMPLE)/out/scores_2026-Q3.csv
	$(KPI) report --scheme after_sales_team --data-dir $(SAMPLE) --sources sample_department \
	  --records-dir $(SAMPLE)/records --period 2026-Q3 --out-dir reports/2026-Q3

test: lint $(SYSTEM)
	$(VENV)/bin/pytest -q

# The long end-to-end runs make test leaves out (marker slow: kpi report --engine spark against DuckDB).
test-slow: lint $(SYSTEM)
	$(VENV)/bin/pytest -q -m slow

# mypy reads its configuration from pyproject.toml [tool.mypy]; an error fails lint (and test).
lint: $(INSTALLED)
	$(VENV)/bin/ruff check kpi_toolkit tests benchmarks
	$(VENV)/bin/ruff format --check kpi_toolkit tests benchmarks
	$(VENV)/bin/mypy

bench: $(INSTALLED)
	$(PY) benchmarks/bench_scoring.py
	$(PY) benchmarks/bench_explorer.py
	$(PY) benchmarks/bench_metrics.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_scorecards.py
	$(PY) benchmarks/bench_spark.py
	$(PY) benchmarks/bench_startup.py

# docs/reference (pages and JSON Schemas of every YAML kind) from the models;
# tests/test_reference.py fails while they differ.
reference: $(INSTALLED)
	$(PY) -m kpi_toolkit.reference

clean:
	rm -rf $(VENV) $(SAMPLE) .pytest_cache
