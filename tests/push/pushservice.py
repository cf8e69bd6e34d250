"""A push service of our own on 127.0.0.1, for the tests: it checks each request as a
real one must, with code independent of what sends (no pywebpush, py_vapid or http_ece):

* the VAPID signature (RFC 8292): ``Authorization: vapid t=<JWT>, k=<key>``, an ES256
  JWT verified with PyJWT against ``k``, which must be the key the browser subscribed
  with; ``aud`` must be this service's origin, ``exp`` in the next 24 hours, ``sub`` a
  mailto: or https: contact;
* the payload encryption (RFC 8291 on RFC 8188 aes128gcm): decrypted with the browser's
  private key and auth secret through ``cryptography`` (ECDH P-256, HKDF-SHA-256,
  AES-128-GCM), padding checked.

It answers 201, or whatever a test asked for a subscription (410 for "gone", 500 for
"busy"); a request that fails a check gets 403 (signature) or 400 (encryption) and the
failure is kept in ``failures`` for the test to assert on."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _hkdf(*, salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


@dataclass
class Browser:
    """One subscribed browser: its key pair and auth secret, as the Push API makes them."""

    path: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(_point(self.private_key.public_key()))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


def decrypt(browser: Browser, body: bytes) -> bytes:
    """RFC 8188 aes128gcm with the RFC 8291 key derivation; raises on any mismatch."""
    salt, record_size, id_length = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    sender_point = body[21 : 21 + id_length]
    sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_point)
    shared = browser.private_key.exchange(ec.ECDH(), sender)
    key_info = b"WebPush: info\x00" + _point(browser.private_key.public_key()) + sender_point
    ikm = _hkdf(salt=browser.auth_secret, ikm=shared, info=key_info, length=32)
    cek = _hkdf(salt=salt, ikm=ikm, info=b"Content-Encoding: aes128gcm\x00", length=16)
    base_nonce = _hkdf(salt=salt, ikm=ikm, info=b"Content-Encoding: nonce\x00", length=12)
    records = body[21 + id_length :]
    plain = b""
    for sequence, start in enumerate(range(0, len(records), record_size)):
        nonce = (int.from_bytes(base_nonce, "big") ^ sequence).to_bytes(12, "big")
        record = AESGCM(cek).decrypt(nonce, records[start : start + record_size], None)
        content = record.rstrip(b"\x00")
        last = start + record_size >= len(records)
        if not content or content[-1:] != (b"\x02" if last else b"\x01"):
            raise ValueError("bad record padding delimiter")
        plain += content[:-1]
    return plain


@dataclass
class Received:
    path: str
    headers: dict
    claims: dict
    payload: dict


class LocalPushService:
    def __init__(self, *, server_public_key: str):
        self.server_public_key = server_public_key  # the applicationServerKey browsers subscribed with
        self.browsers: dict[str, Browser] = {}
        self.answers: dict[str, int] = {}
        self.received: list[Received] = []
        self.failures: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = service.handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def browser(self, name: str) -> Browser:
        browser = Browser(path=f"/push/{name}")
        self.browsers[browser.path] = browser
        return browser

    def endpoint(self, browser: Browser) -> str:
        return self.origin + browser.path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, path: str, headers: dict, body: bytes) -> int:
        headers = {name.lower(): value for name, value in headers.items()}
        browser = self.browsers.get(path)
        if browser is None:
            return 404
        try:
            claims = self.verify_vapid(headers.get("authorization", ""))
        except Exception as error:
            self.failures.append(f"VAPID: {type(error).__name__}: {error}")
            return 403
        try:
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError(f"content-encoding {headers.get('content-encoding')!r}")
            payload = json.loads(decrypt(browser, body))
        except Exception as error:
            self.failures.append(f"encryption: {type(error).__name__}: {error}")
            return 400
        self.received.append(Received(path=path, headers=headers, claims=claims, payload=payload))
        return self.answers.get(path, 201)

    def verify_vapid(self, authorization: str) -> dict:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"scheme {scheme!r}")
        parts = dict(part.strip().split("=", 1) for part in params.split(","))
        if parts["k"] != self.server_public_key:
            raise ValueError("k is not the key the browser subscribed with")
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(parts["k"]))
        claims = jwt.decode(
            parts["t"],
            key=public_key,
            algorithms=["ES256"],
            audience=self.origin,
            options={"require": ["aud", "exp", "sub"]},
        )
        if not 0 < claims["exp"] - time.time() <= 24 * 3600:
            raise ValueError("exp is not within the next 24 hours")
        if not claims["sub"].startswith(("mailto:", "https:")):
            raise ValueError("sub is not a contact")
        return claims
