# CQS — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
export DJANGO_SETTINGS_MODULE := cqs.settings

.PHONY: run serve install install-dev test lint bench demo clean system-deps test-system-deps messages

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load the demo province, serve with granian on http://$(HOST):$(PORT)
run: install system-deps demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "CQS đang chạy tại http://$(HOST):$(PORT)/  (Ctrl-C để dừng)"
	exec $(VENV)/bin/granian --interface wsgi --host $(HOST) --port $(PORT) \
	  --workers $(WORKERS) --blocking-threads 4 --no-ws cqs.wsgi:application

demo: install
	mkdir -p var
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py seed_demo --dossiers

## make test: install test tools (and Debian's chromium, poppler, fonts when missing), run the suite
system-deps:
	@bash scripts/system-deps.sh

test-system-deps:
	@bash scripts/system-deps.sh --test

test: install-dev test-system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

bench: install-dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles

## make messages: refresh the translation catalogue after changing UI text
messages: install
	$(PY) manage.py makemessages -l en --ignore=".venv/*" --ignore="staticfiles/*"
	$(PY) cqs/locale/translate_en.py
	$(PY) manage.py compilemessages -l en --ignore=".venv/*" --ignore="var/*"
