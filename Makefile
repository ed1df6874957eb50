# MESM — the commands. Only Python 3.11 is needed; PostgreSQL and Redis are embedded when
# DATABASE_URL / REDIS_URL are not set.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run install migrate demo test lint format messages bench audit stop-services check-deploy clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

## make run: install, migrate, demo data, then web + Celery worker + beat (Ctrl-C stops all three)
run: demo
	@echo ""
	@echo "  MESM is starting on http://127.0.0.1:$${PORT:-8000}/"
	@echo "  Log in as ana (admin), luis (editor) or carmen (viewer) — password: mesm-demo-2026"
	@echo "  API docs: http://127.0.0.1:$${PORT:-8000}/api/docs/   Health: http://127.0.0.1:$${PORT:-8000}/healthz"
	@echo ""
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m honcho start --port $${PORT:-8000}

## make test: the whole suite (pytest on the real PostgreSQL and Redis, a real Celery worker, headless Chromium)
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Two test processes (pytest-xdist); each has its own test database, cache prefix and Celery queue.
PYTEST_ARGS ?= -n 2

## make chaos: fault injection (killed workers, Redis down, PostgreSQL restarted, a misbehaving platform,
## two beats, publishing crashes) on its own PostgreSQL and Redis; see docs/operations.md. Last line: JSON.
.PHONY: chaos
chaos: install
	$(PY) -m chaos.run

## make bench: performance at scale on a separate database (BENCH_MENTIONS, default 1000000; see docs/performance.md)
bench: install
	$(PY) -m bench.run

## make audit: bandit (no high findings) and pip-audit (no known vulnerabilities) — see docs/operations.md
audit: install
	VENV=$(VENV) bash .ci/audit

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## make messages: refresh the Spanish and English catalogues and compile them
messages: install
	$(PY) manage.py makemessages --locale es --locale en --ignore ".venv/*" --ignore "var/*" --no-obsolete
	$(PY) manage.py makemessages --domain djangojs --locale es --locale en --ignore ".venv/*" --ignore "var/*" --ignore "staticfiles/*" --no-obsolete
	$(PY) manage.py compilemessages --ignore ".venv/*"

check-deploy: install
	DEBUG=0 SECRET_KEY=$$($(PY) -c "import secrets;print(secrets.token_urlsafe(50))") ALLOWED_HOSTS=mesm.example.org \
		$(PY) manage.py check --deploy --fail-level WARNING

stop-services:
	$(PY) -m mesm.embedded stop

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
