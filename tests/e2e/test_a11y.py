"""WCAG 2.2 AA, measured (issue 12, section 5): every page, as a signed-out visitor, a
member, a facilitator and an admin, through axe-core (no serious or critical violation),
at 360×740 (no sideways scrolling) and with target sizes measured in the browser.

One browser, one context per person, one login each: the whole sweep stays near a minute.
Set ``REFLECT_A11Y_REPORT=/some/file.json`` to keep the per-page axe counts."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test.signals import template_rendered
from playwright.sync_api import BrowserContext, Page, expect

from sessions_app.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e import a11y_pages
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.a11y]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}

# Elements wider than the viewport, unless inside a region that scrolls by itself (a wide
# table in a labelled, focusable region keeps its table semantics on a phone).
WIDE_ELEMENTS_JS = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.bottom + window.scrollY <= 0) continue;
    if ((r.right > width + 1 || r.left < -1) && !inScroller(el)) {
      const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}`;
      wide.push(`${name} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 5)};
}"""

# WCAG 2.5.8: every target at least 24×24 CSS px, except links inside a sentence; the
# primary actions (buttons in the page's content) at least 44×44.
TARGETS_JS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  const primary = 'main button:not(.link), main .button, main input[type=submit]';
  const small = [], smallPrimary = [];
  const describe = (el, r) => {
    const words = (el.innerText || el.value || el.name || el.getAttribute('aria-label') || '').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()} "${words}" ${Math.round(r.width)}×${Math.round(r.height)}`;
  };
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if ((r.width === 0 && r.height === 0) || style.visibility === 'hidden' || r.bottom + window.scrollY <= 0) continue;
    const parentText = (el.parentElement && el.parentElement.innerText || '').trim();
    const inSentence = el.tagName === 'A' && style.display === 'inline'
      && parentText.length > (el.innerText || '').trim().length;
    if (!inSentence && (r.width < 23.5 || r.height < 23.5)) small.push(describe(el, r));
    if (el.matches(primary) && (r.width < 43.5 || r.height < 43.5)) smallPrimary.push(describe(el, r));
  }
  return {small: small.slice(0, 8), smallPrimary: smallPrimary.slice(0, 8)};
}"""


# WCAG 2.4.6/2.5.3: where a page has several controls that act on different things, each
# says what it acts on ("Remove Priya Raman", not "Remove"), visible words first.
GENERIC_LABELS_JS = """() => {
  const generic = new Set(
    ['remove', 'delete', 'edit', 'cancel', 'change', 'revoke', 'archive', 'restore', 'view', 'open']
  );
  const counts = {};
  const controls = 'main a[href], main button, main input[type=submit], main [role=button]';
  for (const el of document.querySelectorAll(controls)) {
    const label = el.getAttribute('aria-label') || el.innerText || el.value || '';
    const name = label.trim().replace(/[….]+$/, '').toLowerCase();
    if (generic.has(name)) counts[name] = (counts[name] || 0) + 1;
  }
  return Object.entries(counts).filter(([name, count]) => count > 1).map(([name, count]) => `${count}× "${name}"`);
}"""

# Table roles as Chromium's accessibility tree has them (what a screen reader gets), not
# as the markup says: a phone layout that reflows a table must not flatten it.
TABLE_ROLES = ("table", "row", "columnheader", "rowheader", "cell")


def table_roles(cdp) -> dict[str, int]:
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    found = Counter(node.get("role", {}).get("value") for node in nodes if not node.get("ignored"))
    return {role: found[role] for role in TABLE_ROLES}


def reauthenticate(page: Page) -> None:
    """A fresh login, so that sensitive pages show themselves instead of asking for one."""
    page.goto("/accounts/reauthenticate/")
    page.locator("main input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url("/accounts/reauthenticate/")


class Sweep:
    def __init__(self, screenshot):
        self.screenshot = screenshot
        self.axe = Axe()
        self.counts: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)  # url name -> role -> impact counts
        self.statuses: dict[str, dict[str, int]] = defaultdict(dict)
        self.problems: dict[str, list[str]] = {}
        self.phone_pages: set[str] = set()

    def check_page(self, page: Page, cdp, role: str, name: str, url: str) -> None:
        page.set_viewport_size(DESKTOP)
        page.goto(url)
        if generic := page.evaluate(GENERIC_LABELS_JS):
            self.problem(role, name, f"generic labels: {generic}")
        has_table = page.locator("main table").count() > 0
        desktop_tables = table_roles(cdp) if has_table else None
        # axe-core is already in the page (an init script of the context): only run it.
        results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        impacts = Counter()
        for violation in results["violations"]:
            impacts[violation["impact"]] += len(violation["nodes"])
            if violation["impact"] in ("serious", "critical"):
                targets = [str(node["target"]) for node in violation["nodes"][:3]]
                self.problem(role, name, f"axe {violation['impact']} {violation['id']}: {targets}")
        self.counts[name][role] = dict(impacts)
        page.set_viewport_size(PHONE)
        self.screenshot(page, f"a11y-360-{name}-{role.replace(' ', '-')}")
        widths = page.evaluate(WIDE_ELEMENTS_JS)
        self.phone_pages.add(name)
        if widths["scrollWidth"] > PHONE["width"] or widths["wide"]:
            self.problem(role, name, f"360px: scrollWidth {widths['scrollWidth']}, wide {widths['wide']}")
        if has_table and (phone_tables := table_roles(cdp)) != desktop_tables:
            self.problem(role, name, f"360px table semantics: {phone_tables} instead of {desktop_tables}")
        targets = page.evaluate(TARGETS_JS)
        if targets["small"]:
            self.problem(role, name, f"targets under 24px: {targets['small']}")
        if targets["smallPrimary"]:
            self.problem(role, name, f"primary actions under 44px: {targets['smallPrimary']}")

    def problem(self, role: str, name: str, text: str) -> None:
        self.problems.setdefault(f"{name} as {role}", []).append(text)

    def visit_all(self, context: BrowserContext, role: str, email: str | None) -> None:
        context.add_init_script(script=self.axe.axe_script)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        if email:
            log_in(page, email)
            reauthenticate(page)
        objects = a11y_pages.demo_objects(email)
        for route in a11y_pages.routes_to_try():
            if "org_slug" in route.kwargs and role in a11y_pages.OUTSIDE_ORGANISATIONS_ONLY:
                continue
            try:
                url = a11y_pages.url_for(route, objects)
            except a11y_pages.NoDemoObject as error:
                self.statuses[route.name][role] = str(error)
                continue
            response = page.request.get(url, max_redirects=0)
            self.statuses[route.name][role] = response.status
            if response.status == 200 and "text/html" in response.headers.get("content-type", ""):
                self.check_page(page, cdp, role, route.name, url)
        page.close()


def test_every_page_meets_wcag_aa_for_every_role(demo, new_context, live_server, screenshot):
    sweep, rendered = Sweep(screenshot), set()

    def remember(sender, template, context, **kwargs):
        rendered.add(template.name)

    template_rendered.connect(remember)
    try:
        for role, email in a11y_pages.ROLES.items():
            sweep.visit_all(new_context(viewport=DESKTOP, bypass_csp=True), role, email)
    finally:
        template_rendered.disconnect(remember)
    _write_report(sweep)

    unchecked = {
        name: statuses
        for name, statuses in sweep.statuses.items()
        # An action behind a form's button answers GET with 405 for whoever may use it.
        if name not in sweep.counts and 405 not in statuses.values()
    }
    assert unchecked == {}, "Routes no role could open as a page: check them or explain them in a11y_pages.NOT_PAGES"
    unrendered = a11y_pages.project_templates() - rendered - set(a11y_pages.NOT_PAGE_TEMPLATES)
    assert unrendered == set(), "Templates no checked page rendered: reach them or explain in NOT_PAGE_TEMPLATES"
    assert sweep.problems == {}
    # The enumeration itself: the sweep found the pages people use, as each role.
    assert {"account_login", "account_reset_password", "accessibility_statement"} <= set(sweep.counts)
    assert len(sweep.phone_pages) >= 40, sorted(sweep.phone_pages)


def _write_report(sweep: Sweep) -> None:
    if path := os.environ.get("REFLECT_A11Y_REPORT"):
        report = {"counts": sweep.counts, "statuses": sweep.statuses, "problems": sweep.problems}
        report["phone_pages"] = sorted(sweep.phone_pages)
        with open(path, "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
