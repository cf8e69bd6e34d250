"""Loaded with ``-p tests.testenv`` (see pyproject.toml) so it runs before
pytest-django reads the settings: the suite gets test settings and its own var/ dir."""

import os
import tempfile

os.environ.setdefault("REFLECT_ENV", "test")
os.environ.setdefault("REFLECT_VAR_DIR", tempfile.mkdtemp(prefix="reflect-test-var-"))
# Playwright's sync API runs an event loop in this thread; the ORM would refuse to run
# beside it. Only the test process gets this (ENVIRONMENT.md, "Browser tests").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
