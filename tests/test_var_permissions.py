"""var/ holds the SQLite file, e-mail, broker messages, the cache and keys: sessions,
tokens and reset links. Nobody but the account running Reflect may read any of it."""

import os
import stat
import subprocess
import sys

import pytest

from reflect.settings import BASE_DIR

# Everything the embedded defaults write: the database (migrate), an e-mail, a cache
# entry, a broker message, the generated secret and encryption keys.
WRITE_EVERYTHING = """
from django.core.management import call_command
from django.core.mail import send_mail
from django.core.cache import cache
from reflect import crypto
from reflect.celery import app
call_command("migrate", verbosity=0)
send_mail("Reset", "http://localhost/accounts/password/reset/key/x-y/", None, ["a@example.org"])
cache.set("k", "v")
crypto.encrypt("x")
app.send_task("reflect.nothing")
"""


def _run_development(var_dir) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "REFLECT_ENV", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(REFLECT_ENV="development", REFLECT_VAR_DIR=str(var_dir), EMAIL_BACKEND="")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", WRITE_EVERYTHING],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def _modes(var_dir) -> dict[str, str]:
    found = {".": oct(stat.S_IMODE(var_dir.stat().st_mode))}
    for root, dirs, files in os.walk(var_dir):
        for name in dirs + files:
            path = os.path.join(root, name)
            found[os.path.relpath(path, var_dir)] = oct(stat.S_IMODE(os.stat(path).st_mode))
    return found


@pytest.mark.security
def test_var_and_everything_in_it_is_private_to_the_owner(tmp_path):
    var_dir = tmp_path / "var"
    _run_development(var_dir)
    modes = _modes(var_dir)
    # The test is only as good as what was written: these must all be there.
    assert {"reflect.sqlite3", "mail", "broker", "cache", "secret_key", "encryption_keys"} <= modes.keys()
    assert any(name.startswith("mail/") for name in modes)
    assert any(name.startswith("broker/") and name.endswith(".msg") for name in modes)
    loose = {name: mode for name, mode in modes.items() if mode not in ("0o700", "0o600")}
    assert loose == {}
    folders = {name for name in modes if (var_dir / name).is_dir()}
    assert {modes[name] for name in folders} == {"0o700"}


@pytest.mark.security
def test_an_existing_open_var_folder_is_closed_at_start(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    var_dir.chmod(0o755)
    _run_development(var_dir)
    assert oct(stat.S_IMODE(var_dir.stat().st_mode)) == "0o700"
