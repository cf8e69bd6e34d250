from django.core.exceptions import PermissionDenied

from sessions_app import selectors
from sessions_app.models import Cohort


def managed_cohort(request, cohort_id: str) -> Cohort:
    """A cohort this person may see (else 404) and run (else 403)."""
    cohort = selectors.access_cohort(request.membership, cohort_id)
    if not selectors.can_manage_cohort(request.membership, cohort):
        raise PermissionDenied("Only organisation admins and this cohort's facilitators can do this.")
    return cohort


def safe_next(request, default: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
