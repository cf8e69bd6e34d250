"""Encryption at rest for reflection text: Fernet tokens under keys from the environment.

``REFLECT_ENCRYPTION_KEYS`` holds comma-separated Fernet keys, newest first: new tokens
use the first key, any key opens old tokens, and ``manage.py rotate_encryption_keys``
moves old tokens to the newest key so retired keys can be dropped. Settings refuse to
start in production without keys; development and test generate one into
``VAR_DIR/encryption_keys`` (one key a line, newest first) on first use.

Nothing here puts plaintext or tokens into exception messages: both may end up in logs.
"""

import contextlib
import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

KEYS_VARIABLE = "REFLECT_ENCRYPTION_KEYS"
KEY_FILE_NAME = "encryption_keys"
MISSING_KEYS_MESSAGE = (
    f"Environment variable {KEYS_VARIABLE} is required in production: comma-separated Fernet keys, "
    "newest first. Generate one with: "
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class DecryptionError(Exception):
    """No configured key opens the token: wrong or retired key, tampering, or not a token."""


@dataclass(frozen=True)
class _Keyring:
    newest: Fernet
    all: MultiFernet


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def encrypt(text: str) -> str:
    """Encrypt ``text`` under the newest key; the token is URL-safe ASCII."""
    return _keyring().all.encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _keyring().all.decrypt(_token_bytes(token)).decode("utf-8")
    except InvalidToken:
        raise _decryption_error() from None


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the newest key without handing the plaintext back."""
    try:
        return _keyring().all.rotate(_token_bytes(token)).decode("ascii")
    except InvalidToken:
        raise _decryption_error() from None


def needs_rotation(token: str) -> bool:
    """Whether ``token`` was made with a key other than the newest one.

    Checks signatures only (no decryption). Raises ``DecryptionError`` when no key opens it.
    """
    keyring = _keyring()
    raw = _token_bytes(token)
    try:
        keyring.newest.extract_timestamp(raw)
    except InvalidToken:
        try:
            keyring.all.extract_timestamp(raw)
        except InvalidToken:
            raise _decryption_error() from None
        return True
    return False


def reset_keys() -> None:
    """Forget the cached keys so the next call reads settings (and the key file) again."""
    _keyring.cache_clear()


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs) -> None:
    if setting in {KEYS_VARIABLE, "REFLECT_ENV", "VAR_DIR"}:
        reset_keys()


@functools.cache
def _keyring() -> _Keyring:
    keys = _configured_keys()
    if not keys:
        if settings.REFLECT_ENV == "production":
            raise ImproperlyConfigured(MISSING_KEYS_MESSAGE)
        keys = _development_keys(Path(settings.VAR_DIR) / KEY_FILE_NAME)
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            # The position, never the key itself: this message may be logged.
            raise ImproperlyConfigured(
                f"{KEYS_VARIABLE}: key {position} of {len(keys)} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
    return _Keyring(newest=fernets[0], all=MultiFernet(fernets))


def _configured_keys() -> list[str]:
    configured = getattr(settings, KEYS_VARIABLE, None) or []
    if isinstance(configured, str):
        configured = configured.split(",")
    return [key.strip() for key in configured if key.strip()]


def _development_keys(path: Path) -> list[str]:
    if not path.exists():
        _create_key_file(path)
    keys = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if not keys:
        # Never replace the file: tokens made with a lost key are unreadable forever.
        raise ImproperlyConfigured(f"{path} holds no encryption keys; restore it or set {KEYS_VARIABLE}.")
    return keys


def _create_key_file(path: Path) -> None:
    # Web, worker and beat may all get here at once; each writes a private temporary file
    # and hard-links it into place, which fails if another process won the race, so the
    # file only ever holds one complete key and is never overwritten.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{KEY_FILE_NAME}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as file:
            file.write(generate_key() + "\n")
        with contextlib.suppress(FileExistsError):  # another process's key stands
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _token_bytes(token: str) -> bytes:
    try:
        return token.encode("ascii")
    except (AttributeError, UnicodeEncodeError):
        raise _decryption_error() from None


def _decryption_error() -> DecryptionError:
    return DecryptionError(f"The token cannot be decrypted with any key in {KEYS_VARIABLE}.")
