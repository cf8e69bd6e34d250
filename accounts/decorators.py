from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404


def org_admin_required(view):
    """For views under ``/o/<org_slug>/``: the middleware has already checked membership;
    this adds the admin role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if membership is None:
            # A request resumed after a fresh login by someone who has left since
            # (accounts.resumed_requests): as for any organisation they are not in.
            raise Http404("No such organisation.")
        if not membership.is_admin:
            raise PermissionDenied("Only organisation admins can do this.")
        return view(request, *args, **kwargs)

    return wrapper


def signed_link(view):
    """Marks a view under ``/o/<org_slug>/`` that a signed link in an e-mail opens without
    signing in: ``OrganizationScopeMiddleware`` scopes it to the organisation (404 if there
    is none) but checks no membership; the view checks the link's signature, which names
    the one person it acts for. It never logs anyone in."""
    view.signed_link = True
    return view
