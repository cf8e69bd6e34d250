"""Keeping and forgetting a browser's push subscription, and choosing per kind how
notices come. The endpoint is a capability URL: kept encrypted, never echoed, and only
to a known push service."""

import json

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scope

from sessions_app.attention.forms import DAY_KEYS
from sessions_app.attention.models import AttentionBudget
from sessions_app.mydata.export import personal_data_export
from sessions_app.mydata.markdown import personal_data_markdown
from sessions_app.push.models import PushSubscription
from tests.push.pushservice import Browser

pytestmark = [pytest.mark.phone, pytest.mark.django_db]

ENDPOINT = "https://fcm.googleapis.com/fcm/send/CAPABILITY-abc123"


def _body(endpoint=ENDPOINT, browser=None):
    browser = browser or Browser(path="/x")
    return json.dumps({"endpoint": endpoint, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}})


def _subscribe(client, cast, body):
    url = reverse("push_subscribe", kwargs={"org_slug": cast.org.slug})
    return client.post(url, body, content_type="application/json")


@pytest.mark.security
def test_a_subscription_is_kept_encrypted_and_never_echoed(client, cast):
    client.force_login(cast.bob.user)
    response = _subscribe(client, cast, _body())
    assert response.json() == {"saved": True}
    assert "CAPABILITY" not in response.content.decode()
    with scope(organization=cast.org):
        (subscription,) = PushSubscription.objects.filter(membership=cast.bob)
        assert subscription.endpoint == ENDPOINT
        assert "CAPABILITY" not in str(subscription)
    with connection.cursor() as cursor:
        cursor.execute("SELECT endpoint FROM sessions_app_pushsubscription")
        (stored,) = cursor.fetchone()
    assert "CAPABILITY" not in stored


def test_subscribing_twice_keeps_one_subscription_with_the_new_keys(client, cast):
    client.force_login(cast.bob.user)
    _subscribe(client, cast, _body())
    newer = Browser(path="/x")
    _subscribe(client, cast, _body(browser=newer))
    with scope(organization=cast.org):
        (subscription,) = PushSubscription.objects.filter(membership=cast.bob)
        assert subscription.p256dh == newer.p256dh


@pytest.mark.security
@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not HTTPS
        "https://10.0.0.5/internal",  # not a push service: Reflect would POST into the network
        "https://fcm.googleapis.com.evil.example/abc",
        "https://evil.example/?https://fcm.googleapis.com/",
    ],
)
def test_an_endpoint_that_is_not_a_known_push_service_is_refused(client, cast, endpoint):
    client.force_login(cast.bob.user)
    response = _subscribe(client, cast, _body(endpoint=endpoint))
    assert response.status_code == 400
    assert response.json() == {"saved": False, "error": "This browser's push service is not one Reflect can send to."}
    with scope(organization=cast.org):
        assert PushSubscription.objects.count() == 0


def test_malformed_keys_are_refused(client, cast):
    client.force_login(cast.bob.user)
    body = json.dumps({"endpoint": ENDPOINT, "keys": {"p256dh": "short", "auth": "x"}})
    assert _subscribe(client, cast, body).json() == {
        "saved": False,
        "error": "The browser sent a push key Reflect cannot use.",
    }


def test_unsubscribing_forgets_this_browser_only(client, cast):
    client.force_login(cast.bob.user)
    _subscribe(client, cast, _body())
    _subscribe(client, cast, _body(endpoint=ENDPOINT + "-laptop"))
    url = reverse("push_unsubscribe", kwargs={"org_slug": cast.org.slug})
    response = client.post(url, json.dumps({"endpoint": ENDPOINT}), content_type="application/json")
    assert response.json() == {"removed": 1}
    with scope(organization=cast.org):
        assert [s.endpoint for s in PushSubscription.objects.all()] == [ENDPOINT + "-laptop"]


@pytest.mark.security
def test_logging_out_forgets_the_subscriptions_this_browser_made(client, cast):
    other_browser = type(client)()
    other_browser.force_login(cast.bob.user)
    _subscribe(other_browser, cast, _body(endpoint=ENDPOINT + "-laptop"))
    client.force_login(cast.bob.user)
    _subscribe(client, cast, _body())

    client.post(reverse("account_logout"))

    with scope(organization=cast.org):
        assert [s.endpoint for s in PushSubscription.objects.all()] == [ENDPOINT + "-laptop"]


def test_a_person_chooses_push_or_both_per_kind(client, cast):
    client.force_login(cast.bob.user)
    url = reverse("attention_settings", kwargs={"org_slug": cast.org.slug})
    page = client.get(url).content.decode()
    assert '<select name="channel_reminder" id="id_channel_reminder">' in page
    assert 'id="push-panel"' in page
    data = {
        **{"quiet_hours_enabled": "on", "daily_cap": "3"},
        **{f"quiet_{day}_{end}": time for day in DAY_KEYS for end, time in (("start", "21:00"), ("end", "07:00"))},
        **{"weekly_cap": "10", "min_gap_minutes": "120", "digest_time": "17:00", "monthly_meeting_minutes": "240"},
        **{"channel_reminder": "push", "channel_cancellation": "both", "channel_digest": "email"},
    }
    response = client.post(url, data)
    assert response.status_code == 302
    with scope(organization=cast.org):
        own = AttentionBudget.objects.get(membership=cast.bob)
    assert own.channels == {"reminder": "push", "cancellation": "both"}
    again = client.get(url).content.decode()
    assert '<option value="push" selected>' in again


@pytest.mark.security
def test_the_data_export_lists_subscriptions_and_channels_but_never_the_endpoint(client, cast):
    client.force_login(cast.bob.user)
    _subscribe(client, cast, _body())
    with scope(organization=cast.org):
        AttentionBudget.objects.create(organization=cast.org, membership=cast.bob, channels={"reminder": "both"})

    export = personal_data_export(cast.bob.user)
    (here,) = export["organizations"]
    assert [sorted(push) for push in here["push_subscriptions"]] == [["created_at", "last_delivered_at"]]
    assert here["attention_settings"]["channels"] == {"reminder": "both"}
    markdown = personal_data_markdown(export)
    assert "- A browser subscribed " in markdown
    for text in (json.dumps(export), markdown):
        assert "CAPABILITY" not in text
