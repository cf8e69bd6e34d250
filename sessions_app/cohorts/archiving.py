"""Archiving and restoring cohorts, for organisation admins (linked from the
organisation's settings page). An archived cohort's pages are a 404 and nothing more is
sent about its meetings; restoring brings it back."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import org_admin_required
from sessions_app.cohorts import selectors
from sessions_app.cohorts import services as cohort_services


@org_admin_required
@require_GET
def cohort_archive_list(request, org_slug):
    cohorts = selectors.cohorts_for_archiving(request.membership)
    return render(request, "sessions_app/cohort_archive_list.html", {"cohorts": cohorts})


@org_admin_required
@require_POST
@reauthentication_required  # it silences a cohort's reminders: asks for a fresh login
def cohort_archive_view(request, org_slug, cohort_id):
    cohort = selectors.access_cohort_for_archiving(request.membership, cohort_id)
    if cohort.archived_at is None:
        cohort_services.cohort_archive(cohort=cohort, actor=request.user, request=request)
        messages.success(
            request,
            _("%(cohort_name)s is archived: its pages are gone and nothing more is sent about it.")
            % {"cohort_name": cohort.name},
        )
    return redirect("cohort_archive_list", org_slug=org_slug)


@org_admin_required
@require_POST
@reauthentication_required
def cohort_restore_view(request, org_slug, cohort_id):
    cohort = selectors.access_cohort_for_archiving(request.membership, cohort_id)
    if cohort.archived_at is not None:
        cohort_services.cohort_restore(cohort=cohort, actor=request.user, request=request)
        messages.success(
            request,
            _("%(cohort_name)s is back. Reminders for its coming meetings are planned again.")
            % {"cohort_name": cohort.name},
        )
    return redirect("cohort_archive_list", org_slug=org_slug)
