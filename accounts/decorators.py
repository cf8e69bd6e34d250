from functools import wraps

from django.core.exceptions import PermissionDenied


def org_admin_required(view):
    """For views under ``/o/<org_slug>/``: the middleware has already checked membership;
    this adds the admin role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_admin:
            raise PermissionDenied("Only organisation admins can do this.")
        return view(request, *args, **kwargs)

    return wrapper
