# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CORPUS ?= ../shared/corpus
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run setup test lint format bench eval loadtest browser clean

# The PostgreSQL and Elasticsearch clients are wheels that need no server: installed always, so that
# `make test` runs their tests and CI's PostgreSQL pass needs no other set-up.
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-postgres.txt requirements-elasticsearch.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -r requirements-postgres.txt -r requirements-elasticsearch.txt
	touch $@

## Migrate, load the sample sources and articles, build the index (safe to repeat).
setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loadsamples
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

## Set up, then serve the archive with gunicorn at http://$(HOST):$(PORT)/
run: setup
	$(BIN)/gunicorn archive.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 \
	  --limit-request-line 16384 --access-logfile -

## Debian's Chromium and an Arabic font, for the browser tests.
browser:
	@command -v chromium >/dev/null && fc-list | grep -qi "noto.*arabic" || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-core >/dev/null; }

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## The whole test suite: lint, unit, command, API and browser tests.
test: $(VENV)/.installed browser lint
	$(BIN)/python -m pytest

## Speed: ingestion rate, search latency (never-seen queries first, stock haystack beside ours) on
## ../shared/corpus, then 8 clients against gunicorn on the archive bench_search loaded.
bench: $(VENV)/.installed
	$(BIN)/python bench/bench_ingest.py --corpus $(CORPUS)
	$(BIN)/python bench/bench_search.py --corpus $(CORPUS) --data-dir var/bench
	$(BIN)/python bench/bench_gunicorn.py --data-dir var/bench

## Reliability: 16 users for 60 s against gunicorn on the corpus while 10,000 more articles are ingested.
loadtest: $(VENV)/.installed
	$(BIN)/python bench/loadtest.py --corpus $(CORPUS) --write

## Search quality: analysis set-ups, the product's query path on variant queries and Latin-script names,
## and the precision of date-ordered hits on the loaded corpus, written to docs/search-evaluation.md.
eval: $(VENV)/.installed
	$(BIN)/python bench/eval_search.py --corpus $(CORPUS)
	$(BIN)/python bench/eval_precision.py --corpus $(CORPUS) --data-dir var/bench

clean:
	rm -rf $(VENV) var test-output
