"""The "What's on" page, and following an open programme from it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sessions_app.cohorts.forms import JoinRequestForm
from sessions_app.cohorts.models import JoinRequestStatus
from sessions_app.cohorts.services import cohort_add_member
from sessions_app.meetings import whats_on
from sessions_app.meetings.selectors import open_cohorts


@require_GET
def whats_on_page(request, org_slug):
    membership = request.membership
    context = {
        "programmes": whats_on.open_programmes(membership, now=timezone.now(), zone=request.user.time_zone),
        "closed": whats_on.cohorts_to_ask(membership),
        "ask_form": JoinRequestForm(),
        "JoinRequestStatus": JoinRequestStatus,
    }
    return render(request, "sessions_app/whats_on.html", context)


@require_POST
def cohort_follow(request, org_slug, cohort_id):
    """Follow an open programme: become one of its members, so its new meetings are
    announced to you. Coming to one Round never does this by itself."""
    cohort = open_cohorts().filter(organization=request.organization, public_id=cohort_id).first()
    if cohort is None:
        raise Http404("No such open cohort.")
    try:
        cohort_add_member(cohort=cohort, membership=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("You follow %(cohort)s: you'll hear of its new meetings.") % {"cohort": cohort.name}
        )
    return redirect("whats_on", org_slug=org_slug)
