"""Browser tests: Playwright drives Debian's Chromium against pytest-django's ``live_server``.

Chromium comes from the system (``apt-get install chromium``), never from
``playwright install``: set ``CHROMIUM_PATH`` to use another binary. Without it the
tests are skipped loudly, and under ``CI=true`` they fail instead.

``live_server`` is transactional: every test starts from an empty database, so the
``demo`` fixture runs ``seed_demo`` into it.

Set ``REFLECT_E2E_SCREENSHOTS=/some/dir`` to keep screenshots of the pages the tests
visit (for eyeballing layouts); nothing is written otherwise.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from sessions_app.management.commands.seed_demo import DEMO_PASSWORD
from sessions_app.notifications.models import Notification
from tests.services import in_ci

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Long enough for a slow CI box, short enough that a broken page fails in seconds, not 30.
TIMEOUT_MS = 10_000

_missing_chromium: list[str] = []


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, browser_name: str) -> dict:
    """pytest-playwright's launch options plus the system Chromium and its flags."""
    if browser_name != "chromium":
        return browser_type_launch_args
    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        message = (
            f"Chromium was not found at {path} (set CHROMIUM_PATH, or apt-get install chromium); "
            "never run `playwright install` here."
        )
        if in_ci():
            pytest.fail(f"CI: {message} Browser tests cannot be skipped in CI.", pytrace=False)
        _missing_chromium.append(message)
        pytest.skip(f"!!! SKIPPING BROWSER TESTS: {message}")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _missing_chromium:
        bar = "!" * 78
        terminalreporter.write_line(bar, red=True, bold=True)
        terminalreporter.write_line(f"!! BROWSER TESTS WERE SKIPPED: {_missing_chromium[0]}", red=True, bold=True)
        terminalreporter.write_line(bar, red=True, bold=True)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Relative ``page.goto("/…")`` calls go to the live server."""
    return live_server.url


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    return page


@pytest.fixture(autouse=True, scope="session")
def _expect_timeout():
    expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def demo(transactional_db, live_server) -> None:
    """The demo organisations and people (``manage.py seed_demo``) in the test database.

    Seeding calls a hot debrief and puts people on a panel, so the demo's own notices go
    out as it is made; they are the scenery, not what a test is about: they are cleared,
    so a test's outbox and each person's sending history start empty."""
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        Notification.objects.all().delete()
    if hasattr(mail, "outbox"):
        mail.outbox.clear()


LoginFn = Callable[..., None]


def submit_login_form(page: Page, email: str, password: str) -> None:
    """Fill in and submit allauth's real login form, as a person would."""
    page.goto("/accounts/login/")
    form = page.locator("main form[action='/accounts/login/']")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.get_by_role("button", name="Sign In").click()


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in and wait until the browser has left the login page."""
    submit_login_form(page, email, password)
    expect(page, f"logging in as {email} did not leave the login page").not_to_have_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def login(demo) -> LoginFn:
    """``login(page, email, password=DEMO_PASSWORD)``: a successful login as a demo person."""
    return log_in


@pytest.fixture
def submit_login(demo) -> LoginFn:
    """``submit_login(page, email, password)``: submit the login form; the outcome is the test's to check."""
    return submit_login_form


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """``screenshot(page, name)``: a full-page PNG under $REFLECT_E2E_SCREENSHOTS, if set."""
    folder = os.environ.get("REFLECT_E2E_SCREENSHOTS")

    def take(page: Page, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take
