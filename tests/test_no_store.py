"""Pages that show reflection text (or panel notes and action points) must not be kept
by the browser or any cache: on a shared ward computer, Back after logging out would
show them again. Enumerated from the URLconf, so a new page is checked the day it is
added."""

import pytest
from django.urls import reverse

from sessions_app.cohorts.models import CohortRole
from sessions_app.reflections.models import ActionPoint
from tests.factories import PASSWORD
from tests.routes import ALL_ROUTES, OBJECT_MAKERS

pytestmark = [pytest.mark.django_db]

# "victim text" is what tests.routes.Victims writes as the cohort-shared reflection.
REFLECTION_TEXT = "victim text"
# No quotes: the page escapes them, and the test looks for the text as written.
PANEL_NOTES = "CANARY panel: Dr Okafor tells the story of bed 4"
ACTION = "CANARY action: fix the lock of the relatives room"
# What tests.routes.Victims writes as the note of bob's supervision log entry (issue 14).
SUPERVISION_NOTE = "victim note"
SECRETS = (REFLECTION_TEXT, PANEL_NOTES, ACTION, SUPERVISION_NOTE)

# Pages that must be among those found to show one of the secrets: if the enumeration
# silently stopped finding them, the test would pass without checking anything.
KNOWN_PAGES = {
    "reflection_detail",
    "reflection_edit",
    "meeting_detail",
    "meeting_actions",
    "my_data_json",
    "my_data_markdown",
    "supervision_entry_edit",
}


def _directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def world(cast, unscoped, victims):
    """bob wrote a reflection shared with his cohort and facilitates it, so he can see
    every kind of secret: his reflection, the Round's panel notes and its action points."""
    victims.reflection.meeting = victims.meeting
    victims.reflection.save()
    victims.cohort_member.role = CohortRole.FACILITATOR
    victims.cohort_member.save()
    victims.meeting.panel_notes = PANEL_NOTES
    victims.meeting.save()
    ActionPoint.objects.create(organization=cast.org, meeting=victims.meeting, what=ACTION)
    return victims


def _url(route, victims, cast) -> str | None:
    if route.name == route.route:
        # Unnamed (allauth's old accounts/social/… redirects): the path is the address.
        return None if route.kwargs else "/" + route.route
    kwargs = {}
    for name in route.kwargs:
        if name == "org_slug":
            kwargs[name] = cast.org.slug
        elif name in OBJECT_MAKERS:
            kwargs[name] = OBJECT_MAKERS[name](victims)
        else:
            return None  # token URLs (invitations, feeds, allauth keys): no reflection text
    return reverse(route.name, kwargs=kwargs)


@pytest.mark.security
def test_every_page_that_shows_reflection_text_says_no_store(client, cast, world):
    client.force_login(cast.bob.user)
    # The exports ask for a fresh login first; give it, so they show what they hold.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    showing, cached = set(), {}
    for route in ALL_ROUTES:
        url = _url(route, world, cast)
        if url is None:
            continue
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if any(secret.encode() in body for secret in SECRETS):
            showing.add(route.name)
            if "no-store" not in _directives(response):
                cached[route.name] = response.get("Cache-Control")
    assert showing >= KNOWN_PAGES
    assert cached == {}


@pytest.mark.security
def test_a_form_shown_again_with_the_text_says_no_store(client, cast, world):
    # A POST whose errors render the text back is a page of reflection text too.
    client.force_login(cast.bob.user)
    url = reverse("reflection_edit", kwargs={"org_slug": cast.org.slug, "reflection_id": world.reflection.public_id})
    response = client.post(url, {"answer_note": REFLECTION_TEXT + " and more", "visibility": "no-such-visibility"})
    assert REFLECTION_TEXT.encode() in response.content
    assert "no-store" in _directives(response)
