"""The server's VAPID key pair (RFC 8292): from the environment, or generated once
under var/ in development and test. ``None`` where push is not configured."""

import base64
import functools

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _development_key() -> str:
    """A raw P-256 private key, base64url, kept in var/ (git-ignored), never in the repo."""
    path = settings.VAR_DIR / "vapid_private_key"
    if not path.exists():
        number = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
        path.write_text(_b64url(number.to_bytes(32, "big")))
        path.chmod(0o600)
    return path.read_text().strip()


@functools.cache
def _configured(key: str) -> Vapid | None:
    return Vapid.from_string(private_key=key) if key else None


def server_key() -> Vapid | None:
    key = settings.WEBPUSH_VAPID_PRIVATE_KEY or ("" if settings.PRODUCTION else _development_key())
    return _configured(key)


def push_available() -> bool:
    return server_key() is not None


def application_server_key() -> str:
    """The public key browsers subscribe with (``applicationServerKey``): the uncompressed
    P-256 point, base64url."""
    key = server_key()
    if key is None:
        return ""
    point = key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(point)
