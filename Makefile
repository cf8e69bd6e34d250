# Reflect — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
BIND ?= 127.0.0.1:8000

.PHONY: run test install lint format test-sqlite test-postgres test-fast soak bench lock clean

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

## make run: the embedded demo (SQLite, filesystem broker, e-mail to var/mail/).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Reflect is starting at http://$(BIND)/  (Ctrl-C stops web, worker and beat)"
	@echo "E-mail is written to var/mail/ and listed at http://$(BIND)/dev/mail/"
	PATH="$(CURDIR)/$(BIN):$$PATH" REFLECT_BIND=$(BIND) $(BIN)/honcho -f Procfile start

## make test: lint, the suite on SQLite, then everything on PostgreSQL with Redis,
## a real Celery worker and Chromium.
test: install lint test-sqlite test-postgres

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: install
	$(BIN)/pytest -m "not integration and not e2e and not chaos and not postgres"

test-postgres: install
	$(BIN)/python -m tests.services --postgres -- $(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not integration and not e2e and not chaos and not postgres" -x -q

## make soak: the model test of what a person receives, run much longer (random seeds).
soak: install
	REFLECT_STATEFUL_EXAMPLES=$${REFLECT_STATEFUL_EXAMPLES:-1000} REFLECT_STATEFUL_RANDOM=1 \
		$(BIN)/pytest -m stateful -p no:cacheprovider -x

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

## Regenerate the pinned lock file from requirements.txt in a scratch venv.
lock:
	rm -rf /tmp/reflect-lock-venv && $(PYTHON) -m venv /tmp/reflect-lock-venv
	/tmp/reflect-lock-venv/bin/pip install --quiet -r requirements.txt
	/tmp/reflect-lock-venv/bin/pip freeze --exclude pip | sort > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
