"""The calm home page (issue 12): the next debrief first, then one short "To do" card
(one line per cohort's ground rules, one line per overloaded month), notices last."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scope
from lxml import html

from sessions_app.attention.models import AttentionPolicy
from sessions_app.home.todo import month_load_text
from tests.factories import PASSWORD, CohortFactory, CohortMemberFactory, MeetingFactory
from tests.home.people import NOW, busy_member

pytestmark = [pytest.mark.django_db, pytest.mark.phone]

MONTH_LINES = [
    "December: 15 hours of meetings, over your 4-hour budget — review December",
    "January: 12 hours of meetings, over your 4-hour budget — review January",
    "February: 7.5 hours of meetings, over your 4-hour budget — review February",
    "March: 6 hours of meetings, over your 4-hour budget — review March",
]


def _home(client, person) -> html.HtmlElement:
    client.login(username=person.membership.user.email, password=PASSWORD)
    slug = person.membership.organization.slug
    return html.fromstring(client.get(reverse("organization_home", kwargs={"org_slug": slug})).content)


def _cls(name: str) -> str:
    """An XPath test for one class among several (what CSS writes as ``.name``)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


@time_machine.travel(NOW)
def test_five_cohorts_and_four_overloaded_months_make_one_card_of_nine_lines(client):
    person = busy_member()
    page = _home(client, person)

    (card,) = page.xpath(f"//section[{_cls('to-do')}]")
    lines = [_text(li) for li in card.xpath(".//li")]
    assert lines == [f"Accept the ground rules of Circle {n}" for n in range(1, 6)] + MONTH_LINES
    links = [a.get("href") for a in card.xpath(f".//li[{_cls('ground-rules-due')}]/a")]
    slug = person.membership.organization.slug
    assert links == [
        reverse("ground_rules", kwargs={"org_slug": slug, "cohort_id": c.public_id}) for c in person.cohorts
    ]
    review = reverse("meeting_load_review", kwargs={"org_slug": slug})
    assert [a.get("href") for a in card.xpath(f".//li[{_cls('meeting-load')}]/a")] == [
        f"{review}#month-2030-12",
        f"{review}#month-2031-01",
        f"{review}#month-2031-02",
        f"{review}#month-2031-03",
    ]
    card_text = _text(card)
    assert [title for title in person.titles if title in card_text] == []
    assert "2030-12" not in card_text and "minutes" not in card_text


@time_machine.travel(NOW)
def test_next_debrief_comes_before_the_card_and_notices_after_the_meetings(client):
    person = busy_member()
    page = _home(client, person)

    order = [el.get("id") or el.get("class") for el in page.xpath(f"//main//section | //main//li[{_cls('meeting')}]")]
    first = f"meeting-{person.next_meeting.public_id}"
    assert order[:3] == [None, first, "card notice to-do"]
    assert order[-1] == "notices"
    # No banners besides the card (the offline marker is hidden until the page is offline).
    assert len(page.xpath(f"//main//*[{_cls('notice')} and not(@id='offline-banner')]")) == 1
    buttons = page.xpath(f"//*[@id='{first}']//form[{_cls('rsvp')}]//button")
    assert [_text(b) for b in buttons] == ["Going", "Can't make it", "Skip this one"]


@time_machine.travel(NOW)
def test_nothing_to_do_shows_no_card(client, cast):
    client.force_login(cast.bob.user)
    page = html.fromstring(client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug})).content)
    assert page.xpath(f"//section[{_cls('to-do')}]") == []
    assert _text(page.xpath("//main//section")[0]) == "Your next debrief No meetings are scheduled for you yet."


@pytest.mark.parametrize(
    ("minutes", "limit", "line"),
    [
        (900, 240, "December: 15 hours of meetings, over your 4-hour budget"),
        (450, 240, "December: 7.5 hours of meetings, over your 4-hour budget"),
        (250, 240, "December: 4.5 hours of meetings, over your 4-hour budget"),  # never "4 over 4"
        (61, 45, "December: 1.5 hours of meetings, over your 0.5-hour budget"),
        (60, 20, "December: 1 hour of meetings, over your 0.5-hour budget"),
    ],
)
def test_month_line_rounds_to_half_hours_load_up_budget_down(minutes, limit, line):
    with translation.override("en"):
        assert month_load_text(name="December", minutes=minutes, limit=limit) == line


@time_machine.travel(NOW)
def test_home_queries_do_not_grow_with_cohorts_and_months(client, cast):
    with scope(organization=cast.org):
        AttentionPolicy.objects.create(organization=cast.org, monthly_meeting_minutes=240)
        cohort = CohortFactory(organization=cast.org, ground_rules="Kind.")
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        start = NOW + timedelta(days=10)
        MeetingFactory(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=5))  # one month over
    client.force_login(cast.bob.user)
    url = reverse("organization_home", kwargs={"org_slug": cast.org.slug})
    card = html.fromstring(client.get(url).content).xpath(f"//section[{_cls('to-do')}]//li")
    assert len(card) == 2  # one cohort, one month
    few = _count_queries(client, url)
    client.logout()
    person = busy_member()
    client.login(username=person.membership.user.email, password=PASSWORD)
    many = _count_queries(
        client, reverse("organization_home", kwargs={"org_slug": person.membership.organization.slug})
    )
    assert (few, many) == (6, 6)


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@time_machine.travel(NOW)
def test_review_page_lists_each_month_with_its_skip_button(client):
    person = busy_member()
    client.login(username=person.membership.user.email, password=PASSWORD)
    slug = person.membership.organization.slug
    page = html.fromstring(client.get(reverse("meeting_load_review", kwargs={"org_slug": slug})).content)

    sections = page.xpath(f"//main//section[{_cls('card')}]")
    assert [s.get("id") for s in sections] == ["month-2030-12", "month-2031-01", "month-2031-02", "month-2031-03"]
    assert _text(sections[0].xpath(".//h2")[0]) == "December 2030"
    # 900 minutes against 240: the eight latest unanswered meetings (720 minutes) get it back under.
    assert _text(sections[0].xpath(".//button")[0]) == "Skip 8 meetings in December"
    assert len(sections[0].xpath(".//li")) == 8


@time_machine.travel(NOW)
def test_review_page_queries_do_not_grow_with_months(client, cast):
    with scope(organization=cast.org):
        AttentionPolicy.objects.create(organization=cast.org, monthly_meeting_minutes=240)
        cohort = CohortFactory(organization=cast.org)
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        start = NOW + timedelta(days=10)
        MeetingFactory(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=5))  # one month over
    client.force_login(cast.bob.user)
    url = reverse("meeting_load_review", kwargs={"org_slug": cast.org.slug})
    assert "December 2030" in client.get(url).content.decode()
    few = _count_queries(client, url)
    client.logout()
    person = busy_member()
    client.login(username=person.membership.user.email, password=PASSWORD)
    many = _count_queries(
        client, reverse("meeting_load_review", kwargs={"org_slug": person.membership.organization.slug})
    )
    assert (few, many) == (5, 5)
