# Trustmark: `make run` serves the demo, `make test` runs the whole suite.
# With no DATABASE_URL both use an embedded PostgreSQL under .data/.

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run serve migrate demo test lint format messages makemessages worker beat bench clean-data check-deploy

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	touch $(STAMP)

messages: install
	@if command -v msgfmt >/dev/null; then \
		for po in locale/*/LC_MESSAGES/django.po; do msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; done; \
	else echo "msgfmt not found: using the committed .mo files"; fi

makemessages: install
	TRUSTMARK_TESTING=1 $(PY) manage.py makemessages -l fr -l de -e html,txt,py,svg \
		--ignore=.venv --ignore=tests --ignore=bench --ignore=docs --no-location

migrate: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-true} WEBHOOKS_ALLOW_HTTP=$${WEBHOOKS_ALLOW_HTTP:-true} WEBHOOKS_ALLOW_LOOPBACK=$${WEBHOOKS_ALLOW_LOOPBACK:-true} $(PY) manage.py load_demo

run: messages demo
	@echo "Trustmark demo on http://127.0.0.1:8000 (logins above, password trustmark-demo)"
	DEBUG=$${DEBUG:-true} WEBHOOKS_ALLOW_HTTP=$${WEBHOOKS_ALLOW_HTTP:-true} WEBHOOKS_ALLOW_LOOPBACK=$${WEBHOOKS_ALLOW_LOOPBACK:-true} $(PY) manage.py runserver 127.0.0.1:8000

serve: install
	$(VENV)/bin/gunicorn config.wsgi --bind 0.0.0.0:8000 --workers $${WEB_CONCURRENCY:-3}

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

# With a DATABASE_URL (CI, your own PostgreSQL) the suite runs on every core, a file per process
# (tests/e2e/test_accessibility.py shares one data set across its tests); the embedded
# server of a fresh checkout is started by one process, so it runs there in one.
PYTEST_ARGS ?= $(if $(DATABASE_URL),-n auto --dist loadfile,)

test: messages
	TRUSTMARK_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	TRUSTMARK_TESTING=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: install
	DEBUG=false SECRET_KEY=ci-check-deploy-$$(date +%s)-a-long-random-secret-key-for-the-check \
	ALLOWED_HOSTS=trustmark.example CSRF_TRUSTED_ORIGINS=https://trustmark.example \
	$(PY) manage.py check --deploy --fail-level WARNING

# Every benchmark in bench/ with --json, then bench/RESULTS.md; `make bench BENCH_ARGS=--quick`
# for short runs on a small database, `BENCH_ARGS="--only http freshness"` for some of them.
BENCH_ARGS ?=

bench: install
	$(PY) bench/report.py $(BENCH_ARGS)

clean-data:
	rm -rf .data
