"""Settings come from the environment and fail loudly; production passes check --deploy."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from reflect.operations_settings import transaction_pooling
from reflect.settings import BASE_DIR

PRODUCTION_ENV = {
    "REFLECT_ENV": "production",
    "SECRET_KEY": "x" * 40 + "-not-a-real-key-but-long-and-varied-0123456789",
    "ALLOWED_HOSTS": "reflect.example.org",
    "REFLECT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "SITE_URL": "https://reflect.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "REFLECT_ENV", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "Environment variable SECRET_KEY is required." in result.stderr


@pytest.mark.parametrize("keys", ["", " , "])
def test_production_without_encryption_keys_refuses_to_start(keys):
    result = _manage("check", **{**PRODUCTION_ENV, "REFLECT_ENCRYPTION_KEYS": keys})
    assert result.returncode != 0
    assert (
        "Environment variable REFLECT_ENCRYPTION_KEYS is required: comma-separated Fernet keys, newest first."
        in result.stderr
    )


@pytest.mark.security
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "true", "REFLECT_ENV=production refuses DEBUG=true: tracebacks would show settings and data."),
        (
            "EMAIL_BACKEND",
            "",
            "REFLECT_ENV=production refuses the file e-mail backend: reset links would sit in files. "
            "Set EMAIL_BACKEND (SMTP or django-anymail).",
        ),
        (
            "EMAIL_BACKEND",
            "django.core.mail.backends.filebased.EmailBackend",
            "REFLECT_ENV=production refuses the file e-mail backend: reset links would sit in files. "
            "Set EMAIL_BACKEND (SMTP or django-anymail).",
        ),
        (
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend",
            "REFLECT_ENV=production refuses the console e-mail backend: reset links would go to the logs. "
            "Set EMAIL_BACKEND (SMTP or django-anymail).",
        ),
        (
            "SITE_URL",
            "",
            "REFLECT_ENV=production needs SITE_URL (e.g. https://reflect.example.org): "
            "links in e-mails are built from it.",
        ),
    ],
)
def test_production_refuses_development_settings(name, value, message):
    result = _manage("check", **{**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def _production_setting(expression: str, **env: str) -> str:
    result = _manage(
        "shell", "--verbosity", "0", "-c", f"from django.conf import settings; print(repr({expression}))", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.security
def test_production_trusts_no_proxy_https_header_unless_configured():
    # Without a proxy that overwrites it, any client could send X-Forwarded-Proto: https.
    assert _production_setting("settings.SECURE_PROXY_SSL_HEADER", **PRODUCTION_ENV) == "None"


def test_production_trusts_the_proxy_https_header_it_is_given():
    env = {**PRODUCTION_ENV, "PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    assert _production_setting("settings.SECURE_PROXY_SSL_HEADER", **env) == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean (use true/false)."),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT='twenty-five' is not an integer."),
        ("REFLECT_ENV", "staging", "REFLECT_ENV='staging' must be one of ['development', 'production', 'test']."),
    ],
)
def test_bad_environment_values_fail_loudly(name, value, message):
    result = _manage("check", **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_responses_carry_a_content_security_policy(client):
    response = client.get("/healthz")
    assert response.content == b"ok"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_lease_shorter_than_a_slow_send_is_flagged(settings):
    from django.core.checks import run_checks

    settings.EMAIL_TIMEOUT = 20
    settings.NOTIFICATION_LEASE_SECONDS = 30
    assert [message.id for message in run_checks()] == ["reflect.W001"]
    settings.NOTIFICATION_LEASE_SECONDS = 60
    assert run_checks() == []


def test_transaction_pooling_turns_off_what_lives_in_a_server_session(monkeypatch):
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": "reflect", "OPTIONS": {"sslmode": "require"}}
    assert transaction_pooling(database) == database  # off unless asked for
    monkeypatch.setenv("DATABASE_TRANSACTION_POOLING", "true")
    assert transaction_pooling(database) == {
        **database,
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "OPTIONS": {"sslmode": "require", "prepare_threshold": None},
    }
    with pytest.raises(ImproperlyConfigured, match="for PostgreSQL"):
        transaction_pooling({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})
