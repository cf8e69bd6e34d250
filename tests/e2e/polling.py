"""Waiting for something a page's script reports, under the site's own CSP.

Playwright's ``wait_for_function`` polls by compiling the expression inside the page,
which ``script-src 'self'`` (no 'unsafe-eval') refuses; ``page.evaluate`` goes through
the DevTools protocol, which the CSP does not govern. Turning the CSP off instead
(``bypass_csp``) would hide a service worker that the real policy blocks."""

from time import monotonic

from playwright.sync_api import Page


def wait_until(page: Page, expression: str, *, timeout_ms: int = 15_000, every_ms: int = 100) -> None:
    """Evaluate ``expression`` (a JS expression or function) until it gives a truthy value."""
    deadline = monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression[:80]}")
        page.wait_for_timeout(every_ms)
