"""Installable Reflect: the web app manifest and the service worker, both served from the
site root (a worker controls only the paths under its own address, and Reflect's pages
start at /).

The worker keeps the app shell and the person's home page (their next meetings) so the
home page opens offline, marked as such. It never keeps any other page: reflections
above all, and nothing else personal. Logging out empties its caches
(``clear_site_data``, and the page's own script)."""

import functools
import json

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Bumped when the worker's caching changes: a new name drops the old caches on activation.
CACHE_VERSION = "reflect-v1"
THEME_COLOUR = "#1f5f5b"


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request):
    """The worker script. Not cached by HTTP caches (browsers check it on every visit
    anyway, but a proxy must not pin an old one)."""
    context = {
        "cache_version": json.dumps(CACHE_VERSION),
        "shell": json.dumps([static("reflect/reflect.css"), static("reflect/app.js")]),
        "icon": json.dumps(static("reflect/icons/icon-192.png")),
    }
    body = render_to_string("pwa/sw.js", context)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    icons = [
        {"src": static("reflect/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static("reflect/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {
            "src": static("reflect/icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    data = {
        "name": _("Reflect: peer debriefs"),
        "short_name": "Reflect",
        # "/" lands each person on their own home (their only organisation, or a picker).
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


def clear_site_data(view):
    """Logging out tells the browser to empty this site's caches and storage
    (``Clear-Site-Data``): the worker keeps the home page for opening offline, and on a
    shared ward phone the next person must not find it. Cookies are left to the logout
    itself. The page's script also asks the worker, for browsers without the header."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response

    return wrapped
