"""PostgreSQL connections ask for no JIT, except behind pgbouncer, which refuses startup
parameters it does not know (reflect/database.py, issue 15)."""

from reflect.database import database_options

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"sslmode": "require"}}


def test_postgres_connections_ask_for_no_jit_and_keep_the_url_options(monkeypatch):
    monkeypatch.delenv("POSTGRES_OPTIONS", raising=False)
    monkeypatch.delenv("DATABASE_TRANSACTION_POOLING", raising=False)
    assert database_options(POSTGRES) == {"sslmode": "require", "options": "-c jit=off"}


def test_behind_pgbouncer_no_startup_parameter_is_sent(monkeypatch):
    monkeypatch.delenv("POSTGRES_OPTIONS", raising=False)
    monkeypatch.setenv("DATABASE_TRANSACTION_POOLING", "true")
    assert database_options(POSTGRES) == {"sslmode": "require"}


def test_an_empty_postgres_options_sends_none(monkeypatch):
    monkeypatch.setenv("POSTGRES_OPTIONS", "")
    monkeypatch.delenv("DATABASE_TRANSACTION_POOLING", raising=False)
    assert database_options(POSTGRES) == {"sslmode": "require"}


def test_sqlite_keeps_its_shared_file_options():
    options = database_options({"ENGINE": "django.db.backends.sqlite3"})
    assert (options["timeout"], options["transaction_mode"]) == (20, "IMMEDIATE")
