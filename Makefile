# Profmaster — quick start: `make run` (demo on SQLite) and `make test` (lint, types, whole suite).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test install install-test system-deps lint types pytest demo messages bench bench-exam bench-diplomas bench-marking bench-draws bench-countdown bench-import bench-upm clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-deps

demo: install
	mkdir -p var
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) load_demo

run: demo
	$(MANAGE) collectstatic --noinput -v0
	@echo "Profmaster: http://127.0.0.1:$(PORT)/"
	$(BIN)/gunicorn profmaster.wsgi:application --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
		--no-control-socket --access-logfile - --pythonpath src

# Debian packages the tests need: chromium for browser tests, pango, HarfBuzz's subsetter and fonts for PDFs
# (without libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools, about 10x slower).
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	dpkg -s libpango-1.0-0 >/dev/null 2>&1 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	dpkg -s libharfbuzz-subset0 >/dev/null 2>&1 || missing="$$missing libharfbuzz-subset0"; \
	dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests

types: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: install-test
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} -p no:cacheprovider $(PYTEST_ARGS)

test: install-test lint types pytest

messages: $(VENV)/.installed-test
	mkdir -p src/profmaster/locale
	cd src/profmaster && ../../$(BIN)/python ../../manage.py makemessages -l en -l ru --no-obsolete --no-location \
		&& ../../$(BIN)/python ../../manage.py compilemessages

bench: install
	$(BIN)/python bench/run.py

# RM-1 load: gunicorn + PostgreSQL on 127.0.0.1 (BENCH_DB_URL), 10,000 examinees by default; see bench/README.md.
bench-exam: install
	$(BIN)/python bench/exam_load.py

# AW-6: diplomas for 5,000 people by the background job (BENCH_DIPLOMAS); see bench/README.md.
bench-diplomas: install
	$(BIN)/python bench/diplomas.py
# SC-4 scale: 100 competencies × 40 teams × 60 aspects on PostgreSQL (BENCH_DB_URL); see bench/README.md.
bench-marking: install
	$(BIN)/python bench/marking_load.py
# OP-1 scale: 100 competencies × 40 teams drawn and verified at once on PostgreSQL (BENCH_DB_URL); see bench/README.md.
bench-draws: install
	$(BIN)/python bench/draws.py
# OP-3: the venue's countdown screen, 500 viewers polling while timers start and pause (gunicorn + PostgreSQL +
# Redis on 127.0.0.1, BENCH_DB_URL / BENCH_REDIS_URL); see bench/README.md.
bench-countdown: install
	$(BIN)/python bench/countdown_load.py

# RM-1: a 6,000-question Moodle 4.x bank imported by the background job (BENCH_QUESTIONS); see bench/README.md.
bench-import: install
	$(BIN)/python bench/import_questions.py

# UPM-5 and the report: a region of 2,000 lessons and 200,000 pupils, 20,000 parents confirming through the parent's
# page (gunicorn + PostgreSQL on 127.0.0.1, BENCH_DB_URL), the operator's report; see bench/README.md.
bench-upm: install
	$(BIN)/python bench/upm_load.py

clean:
	rm -rf $(VENV) var
