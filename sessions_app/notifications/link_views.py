"""The pages that signed links in e-mails open, without signing in (``links``).

Following a link never acts: mail scanners (Microsoft Safe Links and others) open every
link in a message, so a GET shows one button and only its POST acts. The page shows the
link's own meeting to the person it was sent to and nothing else: no other attendees, no
navigation of whoever is signed in (the middleware sets no ``request.organization``).
"""

from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.decorators import signed_link
from accounts.languages import speaking_to
from reflect.widgets import IsoDateInput
from sessions_app.attention import budgets
from sessions_app.attention.forms import leave_errors
from sessions_app.meetings import rsvps
from sessions_app.notifications import links
from sessions_app.notifications.models import NotificationKind

ONE_CLICK = "One-Click"  # RFC 8058: the body a mail client posts is List-Unsubscribe=One-Click


class LeaveUntilForm(forms.Form):
    leave_ends = forms.DateField(widget=IsoDateInput(), label=gettext_lazy("On leave until (the last day)"))

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        if data.get("leave_ends"):
            for field, message in leave_errors(self.today, data["leave_ends"], today=self.today):
                self.add_error(field, message)
        return data


def _respond(request, template: str, context: dict, *, status: int = 200, zone: str | None = None):
    # Times in the link's person's zone, whoever opens it; never kept by a cache, and the
    # link (it can act) never leaves in a Referer header.
    with timezone.override(ZoneInfo(zone) if zone else timezone.get_current_timezone()):
        response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _problem(request, status: int, message: str):
    return _respond(request, "sessions_app/links/problem.html", {"message": message}, status=status)


def _someone_else(request, membership):
    """A signed-in person who is not the link's: it must not act, as them or as the other."""
    if request.user.is_authenticated and request.user.pk != membership.user_id:
        return _problem(
            request,
            403,
            _(
                "This link was sent to someone else, and you are signed in as another person, so it does "
                "nothing here. If it is yours, sign out first or open it in a private window."
            ),
        )
    return None


@signed_link
@require_http_methods(["GET", "HEAD", "POST"])
def onetap_answer(request, org_slug, answer_token):
    """One meeting, one answer, one button. The POST form carries Django's CSRF token like
    every form here: the page is served to the browser first, so a form on another site
    cannot post it (the signature guards the person, the token the browser)."""
    now = timezone.now()
    try:
        link = links.read_answer_link(answer_token, organization=request.link_organization, now=now)
    except links.LinkProblem as problem:
        return _problem(request, problem.status, problem.message)
    if refused := _someone_else(request, link.membership):
        return refused
    with _in_their_language(link):
        return _answer_page(request, link, now)


def _in_their_language(link):
    """The page speaks the link's person's language, as the e-mail that carried it did,
    whatever the browser that opened it asks for."""
    return speaking_to(user=link.membership.user, organization=link.membership.organization)


def _answer_page(request, link, now):
    zone = link.membership.user.time_zone
    context = {"link": link, "meeting": link.meeting, "action": links.ACTIONS[link.action], "zone": zone}
    if link.used():
        return _respond(request, "sessions_app/links/done.html", {**context, "already": True}, zone=zone)
    today = now.astimezone(ZoneInfo(zone)).date()
    initial = {"leave_ends": max(link.meeting.starts_at.astimezone(ZoneInfo(zone)).date(), today)}
    form = LeaveUntilForm(request.POST or None, initial=initial, today=today) if link.action == links.LEAVE else None
    if request.method != "POST" or (form is not None and not form.is_valid()):
        return _respond(request, "sessions_app/links/answer.html", {**context, "form": form}, zone=zone)
    return _answer(request, link, now, form, context)


def _answer(request, link, now, form, context):
    zone = context["zone"]
    try:
        rsvp = links.answer_link_use(link=link, now=now, leave_ends=form.cleaned_data["leave_ends"] if form else None)
    except links.AlreadyUsed:
        return _respond(request, "sessions_app/links/done.html", {**context, "already": True}, zone=zone)
    except ValidationError as error:
        if error.code == rsvps.GROUND_RULES_FIRST:
            rules = reverse(
                "ground_rules",
                kwargs={"org_slug": link.meeting.organization.slug, "cohort_id": link.meeting.cohort.public_id},
            )
            sign_in = f"{reverse('account_login')}?{urlencode({'next': rules})}"
            return _respond(request, "sessions_app/links/ground_rules.html", {**context, "sign_in": sign_in}, zone=zone)
        return _problem(request, 410, " ".join(error.messages))
    said = rsvps.rsvp_message(rsvp.status) if rsvp is not None else None
    leave_ends = form.cleaned_data["leave_ends"] if form else None
    return _respond(
        request, "sessions_app/links/done.html", {**context, "said": said, "leave_ends": leave_ends}, zone=zone
    )


# RFC 8058: a mail client's one-click POST carries no CSRF token and no cookie, and cannot:
# it comes from the mail provider's server. The signature in the URL is the authority (it
# names the one person and kind it unsubscribes), so CSRF protection is off on this view
# only, and the worst a forged POST could do is what the link's own holder can do anyway.
@signed_link
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def onetap_unsubscribe(request, org_slug, unsubscribe_token):
    try:
        link = links.read_unsubscribe_link(unsubscribe_token, organization=request.link_organization)
    except links.LinkProblem as problem:
        return _problem(request, problem.status, problem.message)
    if refused := _someone_else(request, link.membership):
        return refused
    with _in_their_language(link):
        return _unsubscribe_page(request, link)


def _unsubscribe_page(request, link):
    done = None
    if request.method == "POST":  # GET and HEAD only show the page
        subscribe = request.POST.get("subscribe") == "again"
        if not subscribe and request.POST.get("List-Unsubscribe") != ONE_CLICK:
            return _problem(request, 400, _("Press the button on the page to unsubscribe."))
        links.unsubscribe_link_use(link=link, now=timezone.now(), subscribe=subscribe)
        done = "subscribed" if subscribe else "unsubscribed"
    unsubscribed = link.kind in _own_unsubscribed(link)
    context = {"kind": NotificationKind(link.kind).label, "unsubscribed": unsubscribed, "done": done}
    return _respond(request, "sessions_app/links/unsubscribe.html", context)


def _own_unsubscribed(link) -> list[str]:
    return budgets.settings_for(link.membership).unsubscribed_kinds
