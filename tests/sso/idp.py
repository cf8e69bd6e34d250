"""Real identity providers for the SSO tests, each in its own process on 127.0.0.1.

* ``OIDCProvider``: ``tests/sso/oidc_provider``, a Django project on
  django-oauth-toolkit's OpenID Connect support, under ``runserver``; its RSA signing
  key is generated at start.
* ``SAMLIdP``: ``tests/sso/saml_idp``, a WSGI app on pysaml2 (independent of the
  python3-saml that allauth uses), with a key and certificate generated at start.

A missing piece (the packages, ``xmlsec1``) raises ``ServiceUnavailable``; the conftest
skips loudly, or fails under ``CI=true``.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.services import ServiceUnavailable, free_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]


def rsa_key_pem() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key, pem


def self_signed_cert_pem(key: rsa.RSAPrivateKey, common_name: str) -> bytes:
    # A fixed validity window: the certificate's dates are data, not a clock reading.
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2040, 1, 1, tzinfo=datetime.UTC))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _same_fake_clock(env: dict[str, str]) -> dict[str, str]:
    """Under libfaketime (``make test-clock``) a child process's clock would start again
    at the frozen instant when the child starts, minutes behind the test process, and
    the IdP's assertions would look stale. Start it at the test process's own time."""
    if "FAKETIME" not in env:
        return env
    return {**env, "FAKETIME": "@" + time.strftime("%Y-%m-%d %H:%M:%S")}


class _Process:
    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix=f"reflect-{type(self).__name__.lower()}-"))
        self.process: subprocess.Popen | None = None

    def _spawn(self, argv: list[str], env: dict[str, str]) -> None:
        env = _same_fake_clock(env)
        log = (self.workdir / "server.log").open("wb")
        self.process = subprocess.Popen(argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(self.port, timeout=30)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"{type(self).__name__} did not start: {self.log()}") from None

    def log(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


class OIDCProvider(_Process):
    """django-oauth-toolkit's OpenID Connect provider. ``issuer`` is what an admin types
    into Reflect's settings page."""

    def __init__(self) -> None:
        if importlib.util.find_spec("oauth2_provider") is None:
            raise ServiceUnavailable("django-oauth-toolkit is not installed (pip install -r requirements.lock)")
        super().__init__()
        self.issuer = f"{self.base_url}/o"
        _, pem = rsa_key_pem()
        key_file = self.workdir / "rsa.pem"
        key_file.write_bytes(pem)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.sso.oidc_provider.settings",
            "OIDC_IDP_SECRET_KEY": secrets.token_urlsafe(32),
            "OIDC_IDP_DATABASE": str(self.workdir / "idp.sqlite3"),
            "OIDC_IDP_RSA_KEY_FILE": str(key_file),
            "PYTHONPATH": str(REPO),
        }
        self.env.pop("PYTEST_VERSION", None)
        self.env.pop("PYTEST_CURRENT_TEST", None)

    def start(self) -> OIDCProvider:
        self._manage(["migrate", "--noinput", "-v", "0"])
        self._spawn(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            self.env,
        )
        return self

    def setup(self, *, users: list[dict] = (), clients: list[dict] = ()) -> None:
        """Create or update users (``username, email, password, active, verified``) and
        relying parties (``client_id, client_secret, redirect_uris, skip_authorization``)."""
        self._manage(["idp_setup"], stdin=json.dumps({"users": list(users), "clients": list(clients)}))

    def _manage(self, args: list[str], stdin: str = "") -> None:
        result = subprocess.run(
            [sys.executable, "-m", "django", *args],
            env=_same_fake_clock(self.env),
            cwd=REPO,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed: {result.stderr[-3000:]}")


class SAMLIdP(_Process):
    """pysaml2's IdP. ``metadata_url`` is what an admin types into Reflect's settings."""

    def __init__(self) -> None:
        if importlib.util.find_spec("saml2") is None:
            raise ServiceUnavailable("pysaml2 is not installed (pip install -r requirements.lock)")
        xmlsec = shutil.which("xmlsec1")
        if xmlsec is None:
            raise ServiceUnavailable("xmlsec1 was not found (apt-get install xmlsec1)")
        super().__init__()
        self.metadata_url = f"{self.base_url}/metadata"
        self.users_file = self.workdir / "users.json"
        self.sp_dir = self.workdir / "sp"
        self.sp_dir.mkdir()
        key, pem = rsa_key_pem()
        (self.workdir / "idp.key").write_bytes(pem)
        (self.workdir / "idp.crt").write_bytes(self_signed_cert_pem(key, "reflect-test-idp"))
        self.env = {
            **os.environ,
            "SAML_IDP_PORT": str(self.port),
            "SAML_IDP_BASE_URL": self.base_url,
            "SAML_IDP_USERS_FILE": str(self.users_file),
            "SAML_IDP_SP_DIR": str(self.sp_dir),
            "SAML_IDP_KEY_FILE": str(self.workdir / "idp.key"),
            "SAML_IDP_CERT_FILE": str(self.workdir / "idp.crt"),
            "SAML_IDP_XMLSEC": xmlsec,
            "PYTHONPATH": str(REPO),
        }

    def start(self) -> SAMLIdP:
        self._spawn([sys.executable, "-m", "tests.sso.saml_idp"], self.env)
        return self

    def add_user(self, username: str, *, email: str, password: str, active: bool = True) -> None:
        users = json.loads(self.users_file.read_text()) if self.users_file.exists() else {}
        users[username] = {"email": email, "password": password, "active": active}
        self.users_file.write_text(json.dumps(users))

    def register_sp(self, name: str, metadata_xml: bytes) -> None:
        """Trust a service provider, as the IdP's admin does with Reflect's metadata."""
        (self.sp_dir / f"{name}.xml").write_bytes(metadata_xml)
