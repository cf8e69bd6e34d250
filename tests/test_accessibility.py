"""Accessibility promises that hold in the HTML itself (issue 12, section 5): a skip link,
the current page marked in the navigation, buttons that say what they act on, and the
accessibility statement. The browser sweep (tests/e2e/test_a11y.py) measures the rest."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.e2e import a11y_pages
from tests.factories import CohortMemberFactory, InvitationFactory, MeetingFactory, MembershipFactory
from tests.routes import ALL_ROUTES, OBJECT_MAKERS, ORG_ROUTES

pytestmark = pytest.mark.a11y

SKIP_LINK = '<a class="skip-link" href="#main">Skip to main content</a>'
STATEMENT_LINK = re.compile(
    r'<footer class="site-footer">\s*<a href="/accessibility/"[^>]*>Accessibility statement</a>'
)
GENERIC = {"remove", "delete", "edit", "cancel", "change", "revoke", "archive", "restore", "view", "open"}
CONTROL = re.compile(r"<(button|a)\b[^>]*>(.*?)</\1>", re.S)


def _control_names(html: str) -> Counter:
    """What each button and link inside <main> is called: its text, hidden words included."""
    main = html[html.index("<main") : html.index("</main>")]
    names = (re.sub(r"<[^>]+>", "", inner) for _, inner in CONTROL.findall(main))
    return Counter(" ".join(name.split()).rstrip("….").lower() for name in names)


def _org_pages(client, cast, victims, reader):
    victims.meeting, victims.cohort_member, victims.reflection  # noqa: B018 - lists have something to list
    client.force_login(reader)
    for route in ORG_ROUTES:
        kwargs = {name: OBJECT_MAKERS[name](victims) for name in route.kwargs if name != "org_slug"}
        response = client.get(reverse(route.name, kwargs={"org_slug": cast.org.slug, **kwargs}))
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            yield route.name, response.content.decode()


def test_every_page_has_a_skip_link_to_its_content_and_the_statement_in_its_footer(client, cast, unscoped, victims):
    pages = dict(_org_pages(client, cast, victims, cast.alice.user))
    client.logout()
    for name in ("account_login", "account_reset_password", "accessibility_statement"):
        pages[name] = client.get(reverse(name)).content.decode()

    missing = {
        name: [part for part in (SKIP_LINK, '<main id="main" tabindex="-1">') if part not in html]
        + ([] if STATEMENT_LINK.search(html) else ["footer link to the statement"])
        for name, html in pages.items()
    }
    assert {name: parts for name, parts in missing.items() if parts} == {}
    assert len(pages) >= 25


def test_no_page_has_several_controls_with_the_same_generic_name(client, cast, unscoped, victims):
    # Several of each thing a button acts on: people in a cohort, invitations.
    for _ in range(2):
        CohortMemberFactory(cohort=victims.cohort, membership=MembershipFactory(organization=cast.org))
        InvitationFactory(organization=cast.org)
    generic = {}
    for reader in (cast.alice.user, cast.bob.user):
        for name, html in _org_pages(client, cast, victims, reader):
            repeated = {label: n for label, n in _control_names(html).items() if label in GENERIC and n > 1}
            if repeated:
                generic[f"{name} as {reader.email}"] = repeated
    assert generic == {}


def test_the_members_page_names_whom_each_button_acts_on(client, cast, unscoped):
    client.force_login(cast.alice.user)
    html = client.get(reverse("members_list", kwargs={"org_slug": cast.org.slug})).content.decode()
    names = _control_names(html)
    # The visible word comes first, so a voice command "click Change" still works (WCAG 2.5.3).
    assert names["change role of bob"] == 1 and names["remove bob"] == 1
    assert names["change"] == 0 and names["remove"] == 0


@pytest.mark.parametrize(
    ("view", "current"),
    [("members_list", "Members"), ("cohort_list", "Cohorts"), ("organization_home", "St Elsewhere")],
)
def test_the_navigation_marks_the_current_page_and_only_it(client, cast, unscoped, view, current):
    client.force_login(cast.alice.user)
    html = client.get(reverse(view, kwargs={"org_slug": cast.org.slug})).content.decode()
    nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
    assert re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', nav) == [current]


def test_a_page_outside_the_navigation_marks_nothing_current(client, cast, unscoped, victims):
    client.force_login(cast.alice.user)
    url = reverse("cohort_detail", kwargs={"org_slug": cast.org.slug, "cohort_id": victims.cohort.public_id})
    assert 'aria-current="page"' not in client.get(url).content.decode()


@override_settings(ACCESSIBILITY_CONTACT_EMAIL="access@reflect.example")
def test_the_statement_is_public_and_follows_the_public_sector_model(client, db):
    response = client.get(reverse("accessibility_statement"))
    html = response.content.decode()
    assert response.status_code == 200
    headings = re.findall(r"<h[23][^>]*>([^<]*)</h[23]>", html)
    assert headings == [
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "Content that's not within the scope of the accessibility regulations",
        "What we're doing to improve accessibility",
        "Preparation of this accessibility statement",
    ]
    assert '<p id="site-contact">' in html and '<a href="mailto:access@reflect.example">' in html
    assert "Equality and Human Rights Commission (EHRC)" in html
    assert "Equality Commission for Northern Ireland (ECNI)" in html
    assert "partially compliant with the" in html and "version 2.2</a> AA standard" in html
    assert "This statement was prepared on 6 December 2026. It was last reviewed on 6 December 2026." in html


@pytest.mark.security
def test_the_statement_names_the_admins_of_the_readers_own_organisations_only(client, cast, unscoped):
    client.force_login(cast.bob.user)
    html = client.get(reverse("accessibility_statement")).content.decode()
    contacts = html[
        html.index('<ul id="organisation-contacts">') : html.index("</ul>", html.index("organisation-contacts"))
    ]
    assert "St Elsewhere" in contacts and "alice@example.org" in contacts
    assert "charlie@example.org" not in html and "County General" not in html
    assert "bob@example.org" not in contacts  # a member, not a contact


def test_the_sweeps_exemptions_name_real_routes_and_templates():
    # A stale exemption would hide nothing today but could hide a new page of the same name.
    assert set(a11y_pages.NOT_PAGES) - {r.name for r in ALL_ROUTES} == set()
    assert set(a11y_pages.NOT_PAGE_TEMPLATES) - a11y_pages.project_templates() == set()
    assert all(reason.strip() for reason in [*a11y_pages.NOT_PAGES.values(), *a11y_pages.NOT_PAGE_TEMPLATES.values()])


def test_each_meetings_answer_buttons_are_grouped_under_its_own_name(client, cast, unscoped, victims):
    # Ten "Going" buttons on one page are told apart by the form (a landmark) around each.
    victims.cohort_member  # noqa: B018 - bob is in the cohort
    MeetingFactory(cohort=victims.cohort, starts_at=victims.meeting.starts_at + timedelta(days=7))
    client.force_login(cast.bob.user)
    html = client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug})).content.decode()
    labels = re.findall(r'class="rsvp" aria-label="([^"]+)"', html)
    assert len(labels) == 2 and len(set(labels)) == 2, labels
    assert all(label.startswith(f"Your answer: {victims.cohort.name}, ") for label in labels), labels
