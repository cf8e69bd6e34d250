# Reflect — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
BIND ?= 127.0.0.1:8000

.PHONY: run test install lint format audit test-sqlite test-clock test-postgres test-fast test-a11y soak bench lock clean

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

## The compiled catalogues (.mo) are build output: rebuilt whenever a .po changes.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

install: $(STAMP) $(MO_FILES)

locale/%.mo: locale/%.po $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var --verbosity 0
	@touch $(MO_FILES)

## make run: the embedded demo (SQLite, filesystem broker, e-mail to var/mail/).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Reflect is starting at http://$(BIND)/  (Ctrl-C stops web, worker and beat)"
	@echo "E-mail is written to var/mail/ (and listed at http://$(BIND)/dev/mail/ for a signed-in superuser on this machine)"
	PATH="$(CURDIR)/$(BIN):$$PATH" REFLECT_BIND=$(BIND) $(BIN)/honcho -f Procfile start

## make test: lint, the suite on SQLite, then everything on PostgreSQL with Redis,
## a real Celery worker and Chromium.
test: install lint test-sqlite test-clock test-postgres

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

## make audit: known vulnerabilities in the pinned dependencies (pip-audit asks PyPI's
## advisory service, which needs a network that reaches it; it is not part of make test).
audit: install
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit --strict --progress-spinner off -r requirements.lock

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: install
	$(BIN)/pytest -m "not integration and not e2e and not chaos and not postgres"

## The fast suite again with the clock frozen at awkward instants (libfaketime), two
## instants at a time (one per core; each run has its own in-memory database), so a
## test that reads the wall clock fails at once and not only at night: a winter night in
## London, the morning New York springs forward, a year's last seconds, a leap day.
AWKWARD_INSTANTS := 2027-01-15T02:30:00 2027-03-14T06:45:00 2027-12-31T23:59:30 2028-02-29T12:00:00
test-clock: install
	@if ! command -v faketime >/dev/null; then \
	  if [ -n "$$CI" ]; then echo "faketime is missing (apt-get install faketime)"; exit 1; fi; \
	  echo "!! faketime is missing (apt-get install faketime): the frozen-clock runs are SKIPPED"; exit 0; fi; \
	set -- $(AWKWARD_INSTANTS); logs=$$(mktemp -d); \
	while [ $$# -gt 0 ]; do \
	  pids=""; for instant in $$1 $$2; do \
	    ( TZ=UTC faketime -f "@$$(echo $$instant | tr T ' ')" $(BIN)/pytest -q -p no:cacheprovider \
	        -m "not integration and not e2e and not chaos and not postgres and not stateful" \
	        > $$logs/$$instant.log 2>&1 ) & pids="$$pids $$!"; \
	  done; \
	  failed=0; for pid in $$pids; do wait $$pid || failed=1; done; \
	  for instant in $$1 $$2; do echo "== fast suite with the clock at $$instant UTC"; tail -n 40 $$logs/$$instant.log; done; \
	  [ $$failed -eq 0 ] || exit 1; shift 2; \
	done

test-postgres: install
	$(BIN)/python -m tests.services --postgres -- $(BIN)/pytest

## make test-a11y: the accessibility checks alone (axe-core over every page as four kinds of
## visitor, 360 px, target sizes, keyboard only); make test runs them in its PostgreSQL pass.
test-a11y: install
	$(BIN)/pytest -m a11y -q

test-fast: install
	$(BIN)/pytest -m "not integration and not e2e and not chaos and not postgres" -x -q

## make soak: the model test of what a person receives, run much longer (random seeds).
soak: install
	REFLECT_STATEFUL_EXAMPLES=$${REFLECT_STATEFUL_EXAMPLES:-1000} REFLECT_STATEFUL_RANDOM=1 \
		$(BIN)/pytest -m stateful -p no:cacheprovider -x

## make bench: every script in bench/ (bench/pagedata.py is bench/pages.py's data, not a bench).
bench: install
	@for script in bench/*.py; do \
		case $$script in bench/pagedata.py) continue;; esac; \
		echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

## Regenerate the pinned lock file from requirements.txt in a scratch venv.
lock:
	rm -rf /tmp/reflect-lock-venv && $(PYTHON) -m venv /tmp/reflect-lock-venv
	/tmp/reflect-lock-venv/bin/pip install --quiet -r requirements.txt
	/tmp/reflect-lock-venv/bin/pip freeze --exclude pip | sort > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
