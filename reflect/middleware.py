"""Project-wide middleware that belongs to no single app."""

from django.utils.cache import patch_cache_control


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in person says ``Cache-Control: no-store``.

    Reflections, panel notes and action points are shown only to signed-in people. On a
    shared ward computer a cached copy would come back with Back after logging out, and
    a proxy might keep one. Applied to every signed-in response rather than page by page,
    so a new page that shows reflection text cannot forget it (``tests/test_no_store.py``
    enumerates the URLconf to check exactly that). Static files never get here: WhiteNoise
    answers them earlier.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class ClearSiteDataOnLogoutMiddleware:
    """Logging out tells the browser to empty this site's caches and storage
    (``Clear-Site-Data``): the service worker keeps the home page for opening offline,
    and on a shared ward phone the next person must not find it. Cookies are left to
    the logout itself. The page's script also asks the worker to empty its caches, for
    browsers without Clear-Site-Data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and _is_logout(request):
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def _is_logout(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "account_logout"
