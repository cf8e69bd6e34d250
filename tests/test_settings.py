"""Settings come from the environment and fail loudly; production passes check --deploy."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from reflect.settings import BASE_DIR

PRODUCTION_ENV = {
    "REFLECT_ENV": "production",
    "SECRET_KEY": "x" * 40 + "-not-a-real-key-but-long-and-varied-0123456789",
    "ALLOWED_HOSTS": "reflect.example.org",
    "REFLECT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
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
