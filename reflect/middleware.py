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
