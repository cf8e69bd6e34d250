"""Small typed readers for environment variables.

Each reader fails loudly on a value it cannot parse, so a typo in a deployment's
environment stops start-up instead of silently falling back to a default.
"""

import os
import re
import socket
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {sorted(choices)}.")
    return value


_BIND = re.compile(r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:\[\]]+)):(?P<port>\d{1,5})|(?P<port_only>\d{1,5})")
# Recognised in BIND, never bound here.
_EVERY_INTERFACE = {"0.0.0.0", "::"}  # noqa: S104
_LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"]


def parse_bind(name: str, value: str) -> tuple[str, int]:
    """``host:port``, ``[ipv6]:port`` or a bare port (as ``runserver`` takes them)."""
    match = _BIND.fullmatch(value.strip())
    if match is None:
        raise ImproperlyConfigured(f"{name}={value!r} is not host:port (for example 127.0.0.1:8000).")
    if match["port_only"]:
        return "127.0.0.1", int(match["port_only"])
    return (match["ipv6"] or match["host"]).lower(), int(match["port"])


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def development_site_url(host: str, port: int) -> str:
    """Where the development server is reached from this machine: a server listening on
    every interface is still reached at 127.0.0.1 here; other machines need SITE_URL."""
    reachable = "127.0.0.1" if host in _EVERY_INTERFACE else host
    return f"http://{_url_host(reachable)}:{port}"


def development_allowed_hosts(host: str, site_url: str) -> list[str]:
    """Loopback names, the bound host, SITE_URL's host and, when listening on every
    interface, this machine's own names. Any other name is for ALLOWED_HOSTS to add."""
    names = [*_LOOPBACK_NAMES, _url_host(host), _url_host(urlsplit(site_url).hostname or "")]
    if host in _EVERY_INTERFACE:
        names += [socket.gethostname().lower(), socket.getfqdn().lower(), *_addresses_of(socket.gethostname())]
    wildcards = {_url_host(name) for name in _EVERY_INTERFACE}
    return [name for index, name in enumerate(names) if name and name not in wildcards and name not in names[:index]]


def _addresses_of(hostname: str) -> list[str]:
    try:
        return socket.gethostbyname_ex(hostname)[2]
    except OSError:  # a name this machine cannot resolve: its loopback names still work
        return []
