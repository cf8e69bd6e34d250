"""Which pages the accessibility sweep opens, as whom, and which routes and templates it
may leave out (and why). Enumerated from the URLconf and the template folders, like the
tenancy matrix (tests/routes.py), so that a new page is checked the day it is added or
the sweep fails until someone says here why it is not a page."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Membership, Organization
from accounts.sso.models import OrganizationSSO, Protocol
from reflect.ids import new_public_id
from sessions_app.attendance.selectors import meeting_door_code
from sessions_app.cohorts.models import Cohort, JoinRequest
from sessions_app.demo import PAST_MEETING
from sessions_app.feedback.models import FeedbackShare
from sessions_app.imports.models import CohortImport
from sessions_app.meetings.models import Meeting, MeetingPanellist
from sessions_app.notifications import links
from sessions_app.reflections.models import ActionPoint, ReflectionTemplate
from sessions_app.supervision.models import SupervisionEntry
from sessions_app.supervision.services import EntryData, entry_create
from sessions_app.trim.models import TrimOffer
from tests.factories import InvitationFactory, MeetingFactory, ReflectionFactory
from tests.routes import ALL_ROUTES, Route

ORG = "st-marys"

# The demo people the sweep signs in as (manage.py seed_demo); None is a signed-out visitor.
ROLES = {
    "signed out": None,
    "member": "priya@stmarys.example",
    "facilitator": "farah@stmarys.example",
    "admin": "ada@stmarys.example",
    # In two organisations: the only person who sees the organisation picker at "/".
    "member of two organisations": "sam@stmarys.example",
}
# People whose organisation pages look like someone else's above: only the pages outside
# any organisation are opened for them.
OUTSIDE_ORGANISATIONS_ONLY = {"member of two organisations"}

# Routes that are not pages a person reads, and why. Anything else must be opened by the
# sweep as at least one of ROLES, or answer 405 to GET (an action behind a form's button).
NOT_PAGES = {
    "healthz": "a plain-text health check for the load balancer",
    "health_ready": "the readiness check for monitoring (JSON)",
    "service_worker": "the service worker's script (JavaScript)",
    "web_manifest": "the web app manifest (JSON)",
    "meeting_ics": "an iCalendar file",
    "calendar_feed": "an iCalendar feed",
    "audit_trail_csv": "a CSV download",
    "cohort_evaluations_csv": "a CSV download (tests/insights/test_evaluation_csv.py reads it)",
    "my_data_json": "a JSON download",
    "my_data_markdown": "a Markdown download",
    "records_certificate_pdf": "a PDF download (tests/records)",
    "records_leader_log_pdf": "a PDF download (tests/records)",
    "records_leader_log_csv": "a CSV download (tests/records)",
    "reflection_export_pdf": "a PDF download",
    "reflection_export_docx": "a Word (.docx) download",
    "supervision_export_csv": "a CSV download (tests/supervision/test_exports.py)",
    "supervision_export_pdf": "a PDF download (tests/supervision/test_exports.py)",
    "mfa_download_recovery_codes": "a text download",
    "dev_mail": "a development-only mail viewer that refuses outside DEBUG on this machine",
    "account_confirm_email": "needs a key mailed by allauth; renders allauth's confirm page in the same layout",
    "account_reset_password_from_key": "needs a key mailed by allauth; the form is the password reset layout",
    "account_confirm_login_code": "login by code is switched off (ACCOUNT_LOGIN_BY_CODE_ENABLED)",
    "account_set_password": "every account has a password; allauth redirects to change-password",
    "account_email_verification_sent": "shown only during sign-up, which is by invitation (allauth redirects)",
    "mfa_authenticate": "shown only half-way through a login with two factors (no pending login here)",
    "mfa_reauthenticate": "shown only to a person with two factors (the demo people have none)",
    "mfa_deactivate_totp": "shown only to a person with an authenticator app (the demo people have none)",
    "mfa_view_recovery_codes": "shown only to a person with two factors (the demo people have none)",
    "mfa_generate_recovery_codes": "shown only to a person with two factors (the demo people have none)",
    "mfa_reauthenticate_webauthn": "shown only to a person with a passkey (tests/e2e/test_passkeys.py)",
    "mfa_remove_webauthn": "takes a passkey's integer id; shown only to a person with a passkey",
    "mfa_edit_webauthn": "takes a passkey's integer id; shown only to a person with a passkey",
    "mfa_login_webauthn": "a JSON endpoint for the passkey login script",
    "socialaccount_login_cancelled": "shown only when an identity provider sends someone back",
    "socialaccount_login_error": "shown only when an identity provider sends an error",
    "socialaccount_signup": "shown only half-way through a single sign-on sign-up",
    "socialaccount_connections": "single sign-on accounts are managed by the organisation",
    "accounts/social/login/cancelled/": "allauth's old alias of socialaccount_login_cancelled",
    "accounts/social/login/error/": "allauth's old alias of socialaccount_login_error",
    "accounts/social/signup/": "allauth's old alias of socialaccount_signup",
    "accounts/social/connections/": "allauth's old alias of socialaccount_connections",
    "saml_acs": "a SAML protocol endpoint (POST from the identity provider)",
    "saml_finish_acs": "a SAML protocol endpoint",
    "saml_sls": "a SAML protocol endpoint",
    "saml_metadata": "SAML metadata XML",
    "saml_login": "redirects to the identity provider",
    "openid_connect_login": "redirects to the identity provider",
    "openid_connect_callback": "an OpenID Connect protocol endpoint",
    "account_inactive": "allauth's page for a deactivated account (people leave organisations instead)",
    "set_language": "Django's language switch: the language picker's form posts to it and is sent back",
}
# Templates under Reflect's own templates/ folders that are not pages, and why; every other
# one must be rendered during the sweep (directly or as part of a page). Anything in an
# email/ folder is an e-mail body, not a page.
EMAIL_FOLDER = "email"
NOT_PAGE_TEMPLATES = {
    "sessions_app/links/done.html": "shown after a one-tap button is pressed (a POST; the sweep only opens pages)",
    "sessions_app/links/ground_rules.html": "shown after a one-tap Going before the ground rules (a POST)",
    "dev_mail.html": "the development-only mail viewer",
    "sessions_app/records/certificate_pdf.html": "a PDF's print layout (tests/records reads the PDF back)",
    "sessions_app/records/leader_log_pdf.html": "a PDF's print layout (tests/records reads the PDF back)",
    "sessions_app/records/_print_style.html": "the PDFs' inline styles",
    "sso/refused.html": "shown only when an identity provider's answer is refused (tests/sso)",
    "sessions_app/portfolio/reflection.pdf.html": "laid out into a PDF, never shown (tests/portfolio)",
    "sessions_app/portfolio/nmc_pack.pdf.html": "laid out into a PDF, never shown (tests/portfolio)",
    "sessions_app/supervision/log_pdf.html": "laid out into a PDF, never shown (tests/supervision)",
    "sessions_app/portfolio/_document.html": "part of the PDFs above",
    "sessions_app/portfolio/_print_style.html": "part of the PDFs above",
}


def project_templates() -> set[str]:
    """Every template under the templates/ folders of the project's own apps."""
    base = Path(settings.BASE_DIR).resolve()
    found = set()
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if not path.is_relative_to(base) or ".venv" in path.parts or "tests" in path.relative_to(base).parts:
            continue
        for folder in path.rglob("templates"):
            found |= {
                str(p.relative_to(folder))
                for p in folder.rglob("*.html")
                if EMAIL_FOLDER not in p.relative_to(folder).parts
            }
    return found


def demo_objects(email: str | None) -> dict[str, str]:
    """Objects of the demo organisation to fill in URL arguments, the reflection written by
    the person signing in (or by the member, for a signed-out visitor)."""
    with scopes_disabled():
        organization = Organization.objects.get(slug=ORG)
    with scope(organization=organization):
        cohort = Cohort.objects.get(name="Schwartz Rounds")
        meeting = cohort.meetings.order_by("starts_at").first()
        # The demo's next Round has a panel of three, the member among them (a briefing to open).
        panel_place = MeetingPanellist.objects.filter(meeting__cohort=cohort).order_by("meeting__starts_at").first()
        past = MeetingFactory(
            cohort=cohort,
            starts_at=timezone.now() - timezone.timedelta(days=2),
            ends_at=timezone.now() - timezone.timedelta(days=2) + timezone.timedelta(hours=1),
        )
        priya = Membership.objects.get(user__email=ROLES["member"])
        author = Membership.objects.get(user__email=email) if email else priya
        reflection = ReflectionFactory(
            author=author, cohort=cohort, meeting=past, visibility="cohort", answers={"note": "A long week."}
        )
        # An NMC reflective account, so the revalidation pack page shows its choices.
        ReflectionFactory(
            author=author,
            template_key="nmc",
            template_name="NMC reflective account",
            code_themes=["preserve_safety"],
            answers={"what_was_it": "A CPD day on sepsis."},
        )
        action = ActionPoint.objects.create(organization=organization, meeting=past, what="Restock the room")
        template = ReflectionTemplate.objects.create(organization=organization, name=f"Template {new_public_id()}")
        cohort_import = CohortImport.objects.create(organization=organization, cohort=cohort, total_rows=1)
        invitation = InvitationFactory(organization=organization)
        offer = TrimOffer.objects.filter(person=priya).order_by("pk").first()  # sessions_app/demo.py
        # An entry of the reader's own supervision log (priya's are in the demo), to edit.
        entry = SupervisionEntry.objects.filter(owner=author).first() or entry_create(
            owner=author, data=EntryData(held_on=timezone.localdate(), minutes=60, kind="group")
        )
        # Priya's request to join the closed Team Time, for the buttons that answer or withdraw it.
        ward = Cohort.objects.get(name="Team Time (Ward 7)")
        join_request = JoinRequest.objects.filter(cohort=ward, membership=priya, status="pending").first()
        join_request = join_request or JoinRequest.objects.create(
            organization=organization, cohort=ward, membership=priya, message="I work on Ward 7 on Thursdays."
        )
        # Priya's NMC account shared with Farah, with feedback and a sign-off (sessions_app/demo.py):
        # Farah opens the reader's page, Priya the author's.
        shared = FeedbackShare.objects.filter(reader=author).first() or FeedbackShare.objects.order_by("pk").first()
        return {
            "org_slug": ORG,
            "share_id": shared.public_id,
            "shared_reflection_id": shared.reflection.public_id,
            "cohort_id": cohort.public_id,
            "cohort_member_id": cohort.members.get(membership=priya).public_id,
            "meeting_id": meeting.public_id,
            "past_meeting_id": past.public_id,
            "panellist_id": panel_place.public_id,
            "panel_meeting_id": panel_place.meeting.public_id,
            "reflection_id": reflection.public_id,
            "action_id": action.public_id,
            "template_id": template.public_id,
            "import_id": cohort_import.public_id,
            "member_id": priya.public_id,
            # The sign-in code of a Round about to start: its door page offers "I'm here".
            "code": meeting_door_code(
                MeetingFactory(cohort=cohort, starts_at=timezone.now() + timezone.timedelta(minutes=10))
            ),
            "invitation_id": invitation.public_id,
            "offer_id": offer.public_id,
            "entry_id": entry.public_id,
            "join_request_id": join_request.public_id,
            "token": invitation.token,
            # Signed links from the person's e-mails: the one-tap pages work without a sign-in.
            "answer_token": links.answer_token(membership=author, meeting=meeting, action=links.GOING),
            "unsubscribe_token": links.unsubscribe_token(membership=author, kind="reminder"),
            "organization_slug": sso_organization().slug,
            "kind": "schwartz_rounds",
            # A meeting whose evaluations have closed, with five answers (sessions_app/demo.py).
            "evaluated_meeting_id": Meeting.objects.get(title=PAST_MEETING).public_id,
        }


def sso_organization() -> Organization:
    """An organisation with single sign-on switched on, for its sign-in button page. Its own,
    so that the demo organisation's password logins stay as they are. The identity provider
    is never contacted: the page only links to Reflect's own start of the sign-in."""
    with scopes_disabled():
        organization, created = Organization.objects.get_or_create(slug="sso-demo", defaults={"name": "SSO demo"})
        if created:
            OrganizationSSO.objects.create(
                organization=organization,
                enabled=True,
                protocol=Protocol.OIDC,
                oidc_server_url="http://127.0.0.1:9/",
                oidc_client_id="client-sso-demo",
                oidc_client_secret="not-used",
                allowed_domains="sso-demo.example",
            )
    return organization


# Routes opened on the past meeting (evaluation and action points come after a meeting).
PAST_MEETING_ROUTES = {"meeting_evaluation", "meeting_actions", "attendance_register"}
# Routes opened on the Round with the demo's panel (a panellist's briefing).
PANEL_MEETING_ROUTES = {"panel_briefing", "panel_prepared", "panellist_add", "panellist_remove"}

# Routes opened on the demo's reflection shared for feedback (its author's page).
SHARED_REFLECTION_ROUTES = {"feedback_shares"}


class NoDemoObject(LookupError):
    pass


def url_for(route: Route, objects: dict[str, str]) -> str:
    missing = [name for name in route.kwargs if name not in objects]
    if missing:
        raise NoDemoObject(f"add {missing} to a11y_pages.demo_objects, or explain the route in NOT_PAGES")
    kwargs = {name: objects[name] for name in route.kwargs}
    if route.name in PAST_MEETING_ROUTES:
        kwargs["meeting_id"] = objects["past_meeting_id"]
    if route.name in PANEL_MEETING_ROUTES:
        kwargs["meeting_id"] = objects["panel_meeting_id"]
    if route.name in SHARED_REFLECTION_ROUTES:
        kwargs["reflection_id"] = objects["shared_reflection_id"]
    if route.name == "meeting_results":
        kwargs["meeting_id"] = objects["evaluated_meeting_id"]
    return reverse(route.name, kwargs=kwargs)


def routes_to_try() -> list[Route]:
    seen, routes = set(), []
    for route in ALL_ROUTES:
        if route.name in NOT_PAGES or route.name in seen:
            continue
        seen.add(route.name)
        routes.append(route)
    return routes
