"""Connection options per database engine, read by reflect/settings.py."""

import os

from reflect.env import env_bool

SQLITE_OPTIONS = {
    # Web, worker and beat share the file: wait for locks instead of failing, take the
    # write lock at BEGIN (no upgrade deadlocks), and let readers run beside a writer.
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
# No JIT for the web's short queries: PostgreSQL compiles any plan it costs above
# jit_above_cost, and on a large trust the reflection list's visibility filter crosses
# it, spending two seconds compiling a query that runs in a tenth of that (bench/pages.py,
# issue 15). pgbouncer refuses startup parameters it does not know, so behind it
# (DATABASE_TRANSACTION_POOLING, or POSTGRES_OPTIONS="") none are sent and
# ``ALTER ROLE reflect SET jit = off`` does the same (docs/operations.md).
POSTGRES_OPTIONS_DEFAULT = "-c jit=off"


def database_options(database: dict) -> dict:
    """``database``'s OPTIONS (from dj-database-url) with the engine's own added."""
    options = dict(database.get("OPTIONS", {}))
    if database["ENGINE"] == "django.db.backends.sqlite3":
        options |= SQLITE_OPTIONS
    postgres = os.environ.get("POSTGRES_OPTIONS", POSTGRES_OPTIONS_DEFAULT)  # "" sends none
    if env_bool("DATABASE_TRANSACTION_POOLING", False):
        postgres = ""
    if database["ENGINE"] == "django.db.backends.postgresql" and postgres:
        options["options"] = postgres
    return options
