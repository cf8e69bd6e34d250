import json
import os
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import STATUS_REQUEST_DENIED
from saml2.server import Server

BASE_URL = os.environ["SAML_IDP_BASE_URL"]
USERS_FILE = Path(os.environ["SAML_IDP_USERS_FILE"])
# Service providers' metadata, one XML file each, registered as an IdP's admin would.
SP_DIR = Path(os.environ["SAML_IDP_SP_DIR"])
EMAIL_ATTRIBUTE = "urn:oid:0.9.2342.19200300.100.1.3"
# SHA-256 signatures: python3-saml (allauth) refuses SHA-1, pysaml2's default.
SIGNING = {
    "sign_alg": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "digest_alg": "http://www.w3.org/2001/04/xmlenc#sha256",
}


def _config() -> IdPConfig:
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{BASE_URL}/metadata",
            "service": {
                "idp": {
                    "name": "Reflect test IdP",
                    "endpoints": {"single_sign_on_service": [(f"{BASE_URL}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": os.environ["SAML_IDP_KEY_FILE"],
            "cert_file": os.environ["SAML_IDP_CERT_FILE"],
            "xmlsec_binary": os.environ.get("SAML_IDP_XMLSEC", "/usr/bin/xmlsec1"),
            "metadata": {},
        }
    )
    return config


CONFIG = _config()
IDP = Server(config=CONFIG)


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/metadata":
        return _reply(start_response, create_metadata_string(None, config=CONFIG).decode(), "text/xml")
    if path == "/sso/redirect":
        query = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
        return _reply(start_response, _login_form(query["SAMLRequest"], query.get("RelayState", "")))
    if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
        return _reply(start_response, _sign_in(form))
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


def _reply(start_response, body: str, content_type: str = "text/html; charset=utf-8"):
    start_response("200 OK", [("Content-Type", content_type)])
    return [body.encode()]


def _login_form(saml_request: str, relay_state: str, error: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><title>Test SAML IdP</title></head><body>
<h1>Test SAML IdP</h1>{f'<p id="idp-error">{escape(error)}</p>' if error else ""}
<form method="post" action="/sso/login">
<input type="hidden" name="SAMLRequest" value="{escape(saml_request)}">
<input type="hidden" name="RelayState" value="{escape(relay_state)}">
<label for="username">Username</label> <input id="username" name="username">
<label for="password">Password</label> <input id="password" name="password" type="password">
<button type="submit" id="idp-sign-in">Sign in</button></form></body></html>"""


def _load_service_providers() -> None:
    for path in sorted(SP_DIR.glob("*.xml")):
        if str(path) not in _loaded:
            IDP.metadata.load("local", str(path))
            _loaded.add(str(path))


_loaded: set[str] = set()


def _sign_in(form: dict) -> str:
    _load_service_providers()
    users = json.loads(USERS_FILE.read_text()) if USERS_FILE.exists() else {}
    user = users.get(form.get("username", ""))
    if user is None or user["password"] != form.get("password"):
        return _login_form(form["SAMLRequest"], form.get("RelayState", ""), "Wrong username or password.")
    request = IDP.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT).message
    destination = request.assertion_consumer_service_url
    if not user.get("active", True):
        response = IDP.create_error_response(
            request.id, destination, (STATUS_REQUEST_DENIED, "This account is disabled."), sign=True, **SIGNING
        )
    else:
        response = IDP.create_authn_response(
            identity={EMAIL_ATTRIBUTE: [user["email"]]},
            in_response_to=request.id,
            destination=destination,
            sp_entity_id=request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=form["username"]),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_response=True,
            sign_assertion=True,
            **SIGNING,
        )
    http_args = IDP.apply_binding(
        BINDING_HTTP_POST, str(response), destination, form.get("RelayState", ""), response=True
    )
    return http_args["data"]
