"""The service worker's side of push (issue 12): a push message, delivered to the worker
by Chromium's DevTools protocol as a push service would, shows one notification with the
server's title and line, and nothing else. (The browser cannot reach a real push
service here; the server's side is tests/push/test_push_dispatch.py.)"""

import json
import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.polling import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.phone]

NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((n) => ({title: n.title, body: n.body, url: n.data.url}));
}"""


def test_a_push_message_shows_one_notification_with_the_servers_words(page: Page, context: BrowserContext, login):
    login(page, "tom@stmarys.example")
    expect(page).to_have_url(re.compile(r"/o/[^/]+/$"))
    origin = re.match(r"^https?://[^/]+", page.url).group(0)
    context.grant_permissions(["notifications"], origin=origin)
    wait_until(page, "navigator.serviceWorker.controller !== null")

    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # the registration arrives as an event, soon after enabling
        if registrations:
            break
        page.wait_for_timeout(50)
    (registration,) = [r for r in registrations if not r.get("isDeleted")]
    payload = {"title": "Reflect", "body": "Reminder: Tue 8 Dec 13:00", "url": f"{origin}/o/st-marys/", "tag": "t1"}
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registration["registrationId"], "data": json.dumps(payload)},
    )

    wait_until(page, f"({NOTIFICATIONS})().then((shown) => shown.length === 1)")
    assert page.evaluate(NOTIFICATIONS) == [
        {"title": "Reflect", "body": "Reminder: Tue 8 Dec 13:00", "url": f"{origin}/o/st-marys/"}
    ]
