"""Asking to join a closed cohort (from "What's on"), withdrawing the request, and the
facilitators' page of requests to answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sessions_app.cohorts import joining, selectors
from sessions_app.cohorts.forms import JoinRequestForm
from sessions_app.cohorts.models import Cohort, JoinRequest, JoinRequestStatus


@require_POST
def cohort_ask_to_join(request, org_slug, cohort_id):
    # Any cohort of this organisation, archived ones included, so that asking to join one
    # that has ended says so; another organisation's is a 404 like one that never was.
    cohort = Cohort.objects.filter(public_id=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("message", [])))
        return redirect("whats_on", org_slug=org_slug)
    try:
        joining.join_request_create(cohort=cohort, membership=request.membership, message=form.cleaned_data["message"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Asked. The facilitators of %(cohort)s will answer, and you'll be told.") % {"cohort": cohort.name},
        )
    return redirect("whats_on", org_slug=org_slug)


@require_POST
def join_request_withdraw(request, org_slug, join_request_id):
    join_request = JoinRequest.objects.filter(public_id=join_request_id, membership=request.membership).first()
    if join_request is None:
        raise Http404("No such request.")
    try:
        joining.join_request_withdraw(join_request=join_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("whats_on", org_slug=org_slug)


@require_GET
def join_requests(request, org_slug, cohort_id):
    cohort = selectors.access_managed_cohort(request.membership, cohort_id)
    pending = selectors.pending_join_requests(cohort)
    return render(request, "sessions_app/join_requests.html", {"cohort": cohort, "requests": pending})


@require_POST
def join_request_decide(request, org_slug, join_request_id):
    join_request = JoinRequest.objects.filter(public_id=join_request_id).select_related("cohort").first()
    if join_request is None:
        raise Http404("No such request.")
    cohort = selectors.access_managed_cohort(request.membership, join_request.cohort.public_id)
    accept = request.POST.get("answer") == "accept"
    try:
        decided = joining.join_request_decide(join_request=join_request, accept=accept, decided_by=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = decided.membership.user.name
        if decided.status == JoinRequestStatus.ACCEPTED:
            text = _("%(name)s is now in %(cohort)s, and will be told.")
        else:
            text = _("Declined. %(name)s will be told.")
        messages.success(request, text % {"name": name, "cohort": cohort.name})
    return redirect("join_requests", org_slug=org_slug, cohort_id=cohort.public_id)
