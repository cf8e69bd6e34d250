"""One-tap answers and one-click unsubscribe from the e-mail itself (issue 12): the links
are read out of real sent messages and followed with the test client."""

import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django_scopes import scope, scopes_disabled

from sessions_app.attention.models import AttentionBudget
from sessions_app.meetings.models import Rsvp
from sessions_app.notifications import dispatch, links, planning
from sessions_app.notifications.emails import unsubscribe_headers
from sessions_app.notifications.models import Notification, OneTapUse
from tests.factories import MeetingFactory, NotificationFactory

pytestmark = [pytest.mark.phone, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday
STARTS = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)  # Tuesday 14:00 in London (winter: UTC+0)
LINK = re.compile(r"^(Going|Can't make it|Skip this one|I'm on leave until …): (http://\S+)$", re.M)
LABELS = {"going": "Going", "cant": "Can't make it", "skip": "Skip this one", "leave": "I'm on leave until …"}


def _path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def reminder(team_time):
    """Bob's day-before reminder for Tuesday's Team Time, sent: (meeting, message)."""
    cohort, _bob = team_time
    meeting = MeetingFactory(cohort=cohort, starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))
    planning.plan_reminders(meeting=meeting, now=NOW)
    with scopes_disabled():
        dispatch.dispatch_due(now=STARTS - timedelta(days=1))
    (message,) = mail.outbox
    return meeting, message


@pytest.fixture
def answers(reminder) -> dict[str, str]:
    """The one-tap links in the plain-text part, by action, as paths."""
    _meeting, message = reminder
    found = {label: _path(url) for label, url in LINK.findall(message.body)}
    return {action: found[label] for action, label in LABELS.items()}


def _world() -> tuple:
    """Everything a link could change: answers, leave, used links, what is waiting."""
    with scopes_disabled():
        return (
            list(Rsvp.objects.values_list("membership_id", "status")),
            list(AttentionBudget.objects.values_list("leave_starts", "leave_ends", "unsubscribed_kinds")),
            list(OneTapUse.objects.values_list("token_hash", flat=True)),
            list(Notification.objects.order_by("pk").values_list("status", "due_at")),
        )


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_a_reminder_carries_four_signed_answers_and_one_click_unsubscribe(reminder, answers, cast):
    _meeting, message = reminder
    html = message.alternatives[0][0]

    assert set(answers) == {"going", "cant", "skip", "leave"}
    assert all(path.startswith(f"/o/{cast.org.slug}/answer/") for path in answers.values())
    assert all(f'href="http://127.0.0.1:8000{path}"' in html for path in answers.values())
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(rf"<http://127\.0\.0\.1:8000/o/{cast.org.slug}/unsubscribe/[\w:.-]+/>", unsubscribe)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Unsubscribe from these e-mails: {unsubscribe[1:-1]}" in message.body
    # Bound to one answer each: four different links.
    assert len(set(answers.values())) == 4


def test_an_invitation_carries_the_answers_too(client, team_time, cast):
    cohort, bob = team_time
    meeting = MeetingFactory(cohort=cohort, starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))
    NotificationFactory(recipient=bob, kind="invite", meeting=meeting, due_at=NOW, latest_useful_at=STARTS)
    with scopes_disabled():
        dispatch.dispatch_due(now=NOW)
    (invite,) = mail.outbox
    found = dict(LINK.findall(invite.body))

    assert invite.subject == "[Reflect] New: Team Time, Tue 3 Nov 14:00"
    assert list(found) == list(LABELS.values())
    with time_machine.travel(NOW, tick=False):
        client.post(_path(found["Skip this one"]))
    assert list(Rsvp.objects.values_list("status", flat=True)) == ["skip"]


def test_the_used_links_are_purged_daily():
    assert django_settings.CELERY_BEAT_SCHEDULE["purge-used-links"] == {
        "task": "sessions_app.purge_used_links",
        "schedule": 24 * 3600.0,
    }


@pytest.mark.security
@pytest.mark.parametrize("action", ["going", "cant", "skip", "leave"])
def test_following_a_link_changes_nothing_until_the_button(client, answers, action):
    before = _world()
    with time_machine.travel(NOW, tick=False):
        page = client.get(answers[action])
        head = client.head(answers[action])  # scanners also probe with HEAD

    assert (page.status_code, head.status_code) == (200, 200)
    text = _text(page)
    assert "Team Time" in text and "Tuesday 3 November 2026, 14:00" in text
    assert "Nothing changes until you press the button." in text
    assert page.content.count(b'class="primary"') == 1  # the one button (the footer's language switch aside)
    assert _world() == before
    assert "_auth_user_id" not in client.session  # never signs anyone in
    assert page["Cache-Control"] == "no-store, private" and page["Referrer-Policy"] == "no-referrer"


@pytest.mark.security
def test_going_acts_on_the_post_and_only_once(answers, cast):
    browser = Client(enforce_csrf_checks=True)
    with time_machine.travel(NOW, tick=False):
        page = browser.get(answers["going"])
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
        forged = browser.post(answers["going"], {})  # a form elsewhere, without the page's token
        assert forged.status_code == 403
        assert Rsvp.objects.count() == 0
        done = browser.post(answers["going"], {"csrfmiddlewaretoken": token})
        again = browser.post(answers["going"], {"csrfmiddlewaretoken": token})
        later = browser.get(answers["going"])

    assert "You're going. See you there." in _text(done)
    assert list(Rsvp.objects.values_list("membership_id", "status")) == [(cast.bob.pk, "going")]
    assert "Already done: this link has done its work." in _text(again)
    assert "Already done: this link has done its work." in _text(later)
    assert OneTapUse.objects.count() == 1


@pytest.mark.security
def test_each_answer_has_its_own_link_that_works_once(client, answers, cast):
    with time_machine.travel(NOW, tick=False):
        client.post(answers["going"])
        cant = client.post(answers["cant"])
        going_again = client.post(answers["going"])

    assert "Noted: you can't make it." in _text(cant)
    assert "Already done" in _text(going_again)
    assert list(Rsvp.objects.values_list("status", flat=True)) == ["cant"]


@pytest.mark.security
def test_a_full_meeting_puts_the_link_answer_on_the_waitlist(client, reminder, answers, cast):
    meeting, _message = reminder
    meeting.capacity = 1
    meeting.save()
    Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=cast.alice, status="going", requested_at=NOW)

    with time_machine.travel(NOW, tick=False):
        done = client.post(answers["going"])

    assert "This one is full, so you're on the waitlist" in _text(done)
    assert Rsvp.objects.get(membership=cast.bob).status == "waitlisted"


@pytest.mark.security
def test_ground_rules_not_accepted_are_not_bypassed(client, reminder, answers, cast):
    meeting, _message = reminder
    cohort = meeting.cohort
    cohort.ground_rules = "What is said here stays here."
    cohort.ground_rules_updated_at = NOW - timedelta(days=1)
    cohort.save()

    with time_machine.travel(NOW, tick=False):
        page = client.post(answers["going"])

    text = _text(page)
    assert "Please read and accept the group's ground rules before your first meeting." in text
    rules = f"/o/{cast.org.slug}/cohorts/{cohort.public_id}/ground-rules/"
    assert f'href="/accounts/login/?next={rules.replace("/", "%2F")}"' in page.content.decode()
    assert (Rsvp.objects.count(), OneTapUse.objects.count()) == (0, 0)


def test_leave_link_asks_for_the_last_day_and_drops_what_falls_in_it(client, reminder, answers, cast):
    meeting, _message = reminder
    planning.plan_reminders(meeting=meeting, now=NOW)
    with time_machine.travel(NOW, tick=False):
        page = client.get(answers["leave"])
        assert 'value="2026-11-03"' in page.content.decode()  # the meeting's day, by default
        past = client.post(answers["leave"], {"leave_ends": "2026-11-01"})
        assert "That day has passed" in _text(past)
        assert AttentionBudget.objects.get(membership=cast.bob).leave_ends is None
        done = client.post(answers["leave"], {"leave_ends": "2026-11-06"})

    assert "You're on leave until Friday 6 November 2026." in _text(done)
    own = AttentionBudget.objects.get(membership=cast.bob)
    assert (own.leave_starts, own.leave_ends) == (date(2026, 11, 2), date(2026, 11, 6))
    hour_before = Notification.objects.get(kind="reminder", payload__lead_minutes=60)
    assert (hour_before.status, hour_before.reason) == ("dropped", "Not planned: you are on leave.")


@pytest.mark.security
def test_a_tampered_link_gets_a_clear_400(client, answers):
    path = answers["going"]
    token = path.split("/")[-2]
    tampered = path.replace(token, token[:-3] + ("abc" if token[-3:] != "abc" else "xyz"))
    before = _world()
    with time_machine.travel(NOW, tick=False):
        shown, posted = client.get(tampered), client.post(tampered)

    assert (shown.status_code, posted.status_code) == (400, 400)
    assert "This link is damaged or incomplete" in _text(shown)
    assert _world() == before


@pytest.mark.security
def test_a_link_under_another_organisation_gets_a_clear_404(client, answers, cast):
    elsewhere = answers["going"].replace(f"/o/{cast.org.slug}/", f"/o/{cast.other_org.slug}/")
    before = _world()
    with time_machine.travel(NOW, tick=False):
        shown, posted = client.get(elsewhere), client.post(elsewhere)

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert "This link does nothing here: it belongs to another organisation's Reflect" in _text(shown)
    assert "Team Time" not in _text(shown)
    assert _world() == before


@pytest.mark.security
def test_a_link_after_its_meeting_gets_a_clear_410(client, answers):
    before = _world()
    with time_machine.travel(STARTS + timedelta(hours=1), tick=False):
        shown, posted = client.get(answers["going"]), client.post(answers["leave"], {"leave_ends": "2026-11-06"})

    assert (shown.status_code, posted.status_code) == (410, 410)
    assert "This link has expired" in _text(shown)
    assert _world() == before


def test_a_cancelled_meeting_has_nothing_to_answer_but_leave_still_works(client, reminder, answers):
    meeting, _message = reminder
    meeting.status = "cancelled"
    meeting.save()
    with time_machine.travel(NOW, tick=False):
        going = client.get(answers["going"])
        leave = client.get(answers["leave"])

    assert going.status_code == 410
    assert "This meeting was cancelled, so there is nothing to answer." in _text(going)
    assert leave.status_code == 200


@pytest.mark.security
def test_someone_else_signed_in_cannot_use_the_link(client, answers, cast):
    before = _world()
    for other in (cast.alice, cast.charlie):
        client.force_login(other.user)
        with time_machine.travel(NOW, tick=False):
            shown, posted = client.get(answers["going"]), client.post(answers["going"])
        assert (shown.status_code, posted.status_code) == (403, 403)
        assert "This link was sent to someone else" in _text(shown)
        assert "Team Time" not in _text(shown) and "St Elsewhere" not in _text(shown)
    assert _world() == before


@pytest.mark.security
def test_one_click_unsubscribe_needs_no_cookie_and_stops_that_kind(reminder, cast, team_time):
    _meeting, message = reminder
    url = _path(message.extra_headers["List-Unsubscribe"][1:-1])
    mail_client = Client(enforce_csrf_checks=True)  # a mail provider's server: no cookie, no CSRF token
    before = _world()
    with time_machine.travel(NOW, tick=False):
        page = mail_client.get(url)
        assert _world() == before
        assert "Unsubscribe from “Reminder” e-mails" in _text(page)
        done = mail_client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert done.status_code == 200
    assert "Done: you won't get these e-mails any more." in _text(done)
    assert AttentionBudget.objects.get(membership=cast.bob).unsubscribed_kinds == ["reminder"]
    with scopes_disabled():
        dispatch.dispatch_due(now=STARTS - timedelta(hours=1))
    assert len(mail.outbox) == 1
    hour_before = Notification.objects.get(kind="reminder", payload__lead_minutes=60)
    assert (hour_before.status, hour_before.reason) == ("dropped", "Not sent: you unsubscribed from these e-mails.")

    with time_machine.travel(NOW, tick=False):
        again = mail_client.post(url, {"subscribe": "again"})
    assert "Done: you'll get these e-mails again." in _text(again)
    assert AttentionBudget.objects.get(membership=cast.bob).unsubscribed_kinds == []


@pytest.mark.security
def test_unsubscribe_refuses_a_tampered_link_or_an_empty_post(client, reminder):
    _meeting, message = reminder
    url = _path(message.extra_headers["List-Unsubscribe"][1:-1])
    before = _world()

    assert (
        client.post(
            url[:-6] + "xx/", "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 400
    )
    assert client.post(url, {}).status_code == 400
    assert _world() == before


@pytest.mark.security
def test_unsubscribe_header_is_one_line_whatever_the_site_address(reminder, settings, cast):
    settings.SITE_URL = "https://reflect.example\r\nBcc: everyone@example.org"
    with scope(organization=cast.org):
        row = Notification.objects.filter(kind="reminder").first()
        value = unsubscribe_headers(row)["List-Unsubscribe"]
    assert "\r" not in value and "\n" not in value


def test_used_links_are_forgotten_a_day_after_their_meeting(client, reminder, answers):
    meeting, _message = reminder
    with time_machine.travel(NOW, tick=False):
        client.post(answers["going"])
    assert links.purge_used_links(now=meeting.ends_at + timedelta(hours=23)) == 0
    assert links.purge_used_links(now=meeting.ends_at + timedelta(days=1, minutes=1)) == 1
    assert OneTapUse.objects.count() == 0


def test_the_ledger_lists_unsubscribed_e_mails_and_gets_them_back(client, cast, team_time):
    with time_machine.travel(NOW, tick=False):
        links.email_kind_subscribe(membership=cast.bob, kind="reminder", subscribe=False, now=NOW)
        client.force_login(cast.bob.user)
        ledger = client.get(f"/o/{cast.org.slug}/ledger/")
        assert "E-mails you unsubscribed from" in _text(ledger)
        assert "Get “Reminder” e-mails again" in _text(ledger)
        back = client.post(f"/o/{cast.org.slug}/ledger/e-mails/", {"kind": "reminder"}, follow=True)

    assert "You'll get “Reminder” e-mails again." in _text(back)
    assert "E-mails you unsubscribed from" not in _text(back)
    assert AttentionBudget.objects.get(membership=cast.bob).unsubscribed_kinds == []


def test_unsubscribing_from_the_digest_drops_what_waited_for_it_with_the_reason(team_time):
    _cohort, bob = team_time
    bob.attention_budget.daily_cap = 0
    bob.attention_budget.save()
    NotificationFactory.create_batch(2, recipient=bob, due_at=NOW, latest_useful_at=NOW + timedelta(days=2))
    with scopes_disabled():
        dispatch.dispatch_due(now=NOW)
    digest = Notification.objects.get(kind="digest")
    links.email_kind_subscribe(membership=bob, kind="digest", subscribe=False, now=NOW)

    with scopes_disabled():
        dispatch.dispatch_due(now=digest.due_at)

    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", "reason")) == {
        ("dropped", "Not sent: you unsubscribed from these e-mails.")
    }


@pytest.mark.i18n
def test_the_page_speaks_its_persons_language_whatever_the_browser_asks(client, answers, team_time):
    _cohort, bob = team_time  # the reminder's (and so the links') person
    person = bob.user
    person.language = "cy"
    person.save(update_fields=["language"])

    with time_machine.travel(NOW, tick=False):
        page = client.get(answers["going"], HTTP_ACCEPT_LANGUAGE="en")

    assert "Does dim yn newid nes i chi bwyso'r botwm." in _text(page)
    assert "Nothing changes until you press the button." not in _text(page)
