"""Installable and offline (issue 12): the service worker keeps the home page, which
then opens offline with its next meetings and an "offline" marker; logging out leaves
nothing behind in the browser's caches."""

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.polling import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.phone]

HOME = re.compile(r"/o/[^/]+/$")
CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
  }
  return paths.sort();
}"""
CACHED_HOME = """async () => {
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    if (await cache.match(location.href)) return true;
  }
  return false;
}"""


def test_the_home_page_opens_offline_and_logging_out_empties_the_cache(page: Page, context: BrowserContext, login):
    login(page, "tom@stmarys.example")
    expect(page).to_have_url(HOME)
    first = page.locator("[id^=meeting-]").first
    meeting_text = first.inner_text()
    assert meeting_text.strip()

    # Installed on the first page; the reload goes through it and keeps the home page.
    wait_until(page, "navigator.serviceWorker.controller !== null")
    page.reload()
    wait_until(page, CACHED_HOME)
    expect(page.locator("#offline-banner")).to_be_hidden()
    home = page.url

    # Pages other than the home page (reflections above all) are never kept.
    page.get_by_role("link", name="Reflections").first.click()
    expect(page).to_have_url(re.compile(r"/reflections/$"))
    page.goto(home)
    home_path = re.sub(r"^https?://[^/]+", "", home)
    assert page.evaluate(CACHED_PATHS) == sorted(
        [home_path, "/__reflect_latest_home__", "/static/reflect/app.js", "/static/reflect/reflect.css"]
    )

    context.set_offline(True)
    page.reload()
    banner = page.locator("#offline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_text(re.compile(r"^You are offline — showing meetings as of \d\d:\d\d\.$"))
    expect(page.locator("[id^=meeting-]").first).to_have_text(meeting_text)

    context.set_offline(False)
    page.reload()
    expect(banner).to_be_hidden()
    page.get_by_role("button", name="Log out").click()
    expect(page).not_to_have_url(HOME)
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
