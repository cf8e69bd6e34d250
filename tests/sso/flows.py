"""Drive a real IdP sign-in without a browser: Django's test client plays Reflect's
side, ``requests`` plays the browser at the IdP, and each redirect is followed by hand
until the IdP sends the person back to Reflect."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import requests

REFLECT = "http://reflect.test"
# A browser always sends Host; python3-saml reads it (Django's test client omits it), and it must be a dotted name.
HOST = {"HTTP_HOST": "reflect.test"}


def start(client, slug: str) -> str:
    """Press the organisation's SSO button; the IdP URL Reflect redirects to."""
    page = client.get(f"/sso/{slug}/", **HOST)
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', page.content.decode()).group(1))
    response = client.post(action, **HOST)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def oidc_sign_in(client, slug: str, *, username: str, password: str, allow: bool | None = None):
    """Sign in at the OpenID Connect provider; returns Reflect's response to the callback,
    or the IdP's last page when it never sends the person back."""
    browser = requests.Session()
    url = start(client, slug)
    response = browser.get(url, allow_redirects=False)
    while True:
        if response.status_code == 302:
            location = requests.compat.urljoin(response.url, response.headers["Location"])
            if location.startswith(REFLECT):
                parts = urlsplit(location)
                return client.get(f"{parts.path}?{parts.query}", **HOST)
            response = browser.get(location, allow_redirects=False)
        elif 'name="username"' in response.text:
            if getattr(response, "_tried", False):
                return response
            form = {"username": username, "password": password, "csrfmiddlewaretoken": _csrf(response.text)}
            form["next"] = re.search(r'name="next" value="([^"]*)"', response.text).group(1)
            response = browser.post(response.url, data=unescape_form(form), allow_redirects=False)
            response._tried = True
        elif 'name="allow"' in response.text:
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text))
            fields = {k: unescape(v) for k, v in fields.items()}
            fields["csrfmiddlewaretoken"] = _csrf(response.text)
            if allow:
                fields["allow"] = "Authorize"
            response = browser.post(response.url, data=fields, allow_redirects=False)
        else:
            return response


def unescape_form(form: dict) -> dict:
    return {key: unescape(value) for key, value in form.items()}


def saml_sign_in(client, slug: str, *, username: str, password: str):
    """Sign in at the SAML IdP; returns Reflect's last response after the IdP's POST to
    the ACS, or the IdP's page when it never sends the person back."""
    browser = requests.Session()
    page = browser.get(start(client, slug))
    form = {"username": username, "password": password, **_hidden_fields(page.text)}
    page = browser.post(requests.compat.urljoin(page.url, "/sso/login"), data=form)
    if "SAMLResponse" not in page.text:
        return page
    action = unescape(re.search(r'action="([^"]+)"', page.text).group(1))
    assert action.startswith(REFLECT), action
    response = client.post(action.removeprefix(REFLECT), _hidden_fields(page.text), **HOST)
    while response.status_code == 302 and response["Location"].startswith("/accounts/saml/"):
        response = client.get(response["Location"], **HOST)
    return response


def _hidden_fields(html: str) -> dict:
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    return {name: unescape(value) for name, value in fields}
