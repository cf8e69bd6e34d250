"""Installable Reflect: the manifest, the icons, the service worker's address and headers,
and logging out emptying what the worker kept."""

import json
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reflect.logging_config import logging_config
from sessions_app.attention.channels import ROUTABLE_KINDS
from sessions_app.notifications.models import NotificationKind

pytestmark = [pytest.mark.phone, pytest.mark.django_db]

ICONS = Path(settings.BASE_DIR) / "reflect" / "static" / "reflect" / "icons"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_makes_reflect_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert {key: manifest[key] for key in ("short_name", "start_url", "scope", "display", "theme_color")} == {
        "short_name": "Reflect",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": "#1f5f5b",
    }
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert icons == {
        ("192x192", "any"): "/static/reflect/icons/icon-192.png",
        ("512x512", "any"): "/static/reflect/icons/icon-512.png",
        ("512x512", "maskable"): "/static/reflect/icons/icon-maskable-512.png",
    }
    for (sizes, _purpose), src in icons.items():
        width, height = _png_size(ICONS / Path(src).name)
        assert f"{width}x{height}" == sizes


def test_the_service_worker_is_served_from_the_root_as_script_and_never_pinned(client):
    response = client.get("/sw.js")
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert {part.strip() for part in response["Cache-Control"].split(",")} >= {"no-cache", "max-age=0"}
    body = response.content.decode()
    assert 'const SHELL = ["/static/reflect/reflect.css", "/static/reflect/app.js"];' in body
    assert "const HOME = /^\\/o\\/[^/]+\\/$/;" in body  # the only pages it keeps
    assert "{{" not in body and "{%" not in body


def test_the_content_security_policy_allows_the_worker_and_manifest_from_this_site_only(client):
    policy = client.get("/sw.js")["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["worker-src"] == ["'self'"]
    assert directives["manifest-src"] == ["'self'"]


def test_pages_link_the_manifest_and_register_the_worker_only_when_signed_in(client, cast):
    anonymous = client.get(reverse("account_login")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in anonymous
    assert "data-worker=" not in anonymous

    client.force_login(cast.bob.user)
    home = client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug})).content.decode()
    assert '<body data-served="network" data-worker="/sw.js">' in home
    assert '<div id="offline-banner" class="notice offline" role="status" hidden>You are offline' in home


@pytest.mark.security
def test_logging_out_clears_the_sites_caches_and_storage(client, cast):
    client.force_login(cast.bob.user)
    response = client.post(reverse("account_logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in client.get(reverse("account_login"))


def test_every_kind_of_notice_can_be_routed():
    assert set(ROUTABLE_KINDS) == set(NotificationKind.values)


@pytest.mark.security
def test_push_endpoints_never_reach_the_logs_through_urllib3_even_at_debug():
    config = logging_config(level="DEBUG")
    assert config["root"]["level"] == "DEBUG"
    assert config["loggers"]["urllib3"] == {"level": "WARNING"}
