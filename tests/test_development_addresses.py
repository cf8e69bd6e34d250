"""With ``make run BIND=…`` the development links and host names follow the server's
address (issue 9, defect 8). Each case starts a real ``manage.py`` with that environment,
because the settings are read once, at start-up."""

import os
import socket
import subprocess
import sys

import pytest

from reflect.settings import BASE_DIR

SHOW = (
    "from django.conf import settings; from django.test import Client; "
    "print(settings.SITE_URL); print(','.join(settings.ALLOWED_HOSTS)); "
    "print(Client(HTTP_HOST='{host}').get('/healthz').status_code)"
)


def _development(tmp_path, host: str = "localhost", **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"PYTEST_VERSION", "REFLECT_ENV", "DATABASE_URL", "SITE_URL", "ALLOWED_HOSTS", "BIND", "REFLECT_BIND"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW.format(host=host)],
        cwd=BASE_DIR,
        env={**clean, "REFLECT_ENV": "development", "REFLECT_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )


def _lines(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_links_follow_the_port_the_development_server_listens_on(tmp_path):
    site_url, hosts, status = _lines(_development(tmp_path, REFLECT_BIND="127.0.0.1:8765"))
    assert site_url == "http://127.0.0.1:8765"
    assert hosts == "localhost,127.0.0.1,[::1]"
    assert status == "200"


def test_make_run_passes_bind_on_as_reflect_bind_but_plain_bind_works_too(tmp_path):
    assert _lines(_development(tmp_path, BIND="localhost:9001"))[0] == "http://localhost:9001"


def test_a_site_url_that_is_set_wins_and_its_host_is_accepted(tmp_path):
    result = _development(
        tmp_path, host="devbox.example", REFLECT_BIND="0.0.0.0:8000", SITE_URL="http://devbox.example:8000/"
    )
    site_url, hosts, status = _lines(result)
    assert site_url == "http://devbox.example:8000"
    assert "devbox.example" in hosts.split(",")
    assert status == "200"


def test_listening_on_every_interface_accepts_this_machines_name(tmp_path):
    name = socket.gethostname().lower()
    site_url, hosts, status = _lines(_development(tmp_path, host=name, REFLECT_BIND="0.0.0.0:8000"))
    assert site_url == "http://127.0.0.1:8000"
    assert name in hosts.split(",") and "0.0.0.0" not in hosts.split(",")  # noqa: S104
    assert status == "200"


@pytest.mark.security
def test_names_nobody_configured_are_still_refused_in_development(tmp_path):
    """Listening everywhere does not mean answering to every Host header (DNS rebinding)."""
    assert _lines(_development(tmp_path, host="attacker.example", REFLECT_BIND="0.0.0.0:8000"))[2] == "400"


def test_an_explicit_allowed_hosts_replaces_the_derived_ones(tmp_path):
    result = _development(tmp_path, host="reflect.lan", REFLECT_BIND="0.0.0.0:8000", ALLOWED_HOSTS="reflect.lan")
    assert _lines(result)[1:] == ["reflect.lan", "200"]


def test_a_bind_that_is_not_host_and_port_fails_loudly(tmp_path):
    result = _development(tmp_path, REFLECT_BIND="localhost:port")
    assert result.returncode != 0
    assert "REFLECT_BIND='localhost:port' is not host:port (for example 127.0.0.1:8000)." in result.stderr
