"""Every page rendered under a pseudo-locale that transforms every translated string: an
English word still readable is a string someone forgot to mark for translation. Fails
with the page and the word."""

from collections import defaultdict

import pytest
from django.apps import apps
from django.db import models, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real
from django_scopes import scopes_disabled

from accounts.models import Role
from sessions_app.cohorts.models import CohortRole
from tests.factories import (
    PASSWORD,
    CohortMemberFactory,
    InvitationFactory,
    MembershipFactory,
    NotificationFactory,
    SeriesFactory,
)
from tests.i18n.pseudo import PseudoTranslation, english_words, visible_text
from tests.routes import ALL_ROUTES, OBJECT_MAKERS, ORG_ROUTES

pytestmark = [pytest.mark.i18n, pytest.mark.django_db]

# Columns the system writes itself (words of the interface, or secrets): never subtracted
# as "what a person typed", so English in them still counts.
SYSTEM_TEXT = {"reason", "idempotency_key", "password", "csv_text", "secret", "token"}
TEXT_FIELDS = (models.CharField, models.TextField)


@pytest.fixture
def pseudo_locale(monkeypatch):
    catalogue = PseudoTranslation("en-gb")
    monkeypatch.setitem(trans_real._translations, "en-gb", catalogue)
    monkeypatch.setattr(trans_real, "_default", catalogue)
    translation.activate("en-gb")
    yield catalogue
    translation.deactivate()


def _data_values() -> list[str]:
    """What people typed (names, e-mails, titles, answers): shown as written, in any
    language, so taken out before looking for English. Choice codes are not data."""
    values = set()
    with scopes_disabled():
        for model in [*apps.get_app_config("accounts").get_models(), *apps.get_app_config("sessions_app").get_models()]:
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, TEXT_FIELDS) and not f.choices and f.name not in SYSTEM_TEXT
            ]
            for row in model._base_manager.all():
                values.update(str(getattr(row, name) or "") for name in fields)
                answers = getattr(row, "answers", None)
                if isinstance(answers, dict):
                    values.update(str(v) for v in answers.values())
    return sorted((v for v in values if v.strip()), key=len, reverse=True)


def _check(response, where: str, found: dict, data: list[str]) -> bool:
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return False
    text, shown_values = visible_text(response.content.decode())
    if words := english_words(text, sorted([*data, *shown_values], key=len, reverse=True)):
        found[where] = sorted(set(words))
    return True


def _org_urls(cast, victims) -> list[tuple[str, str]]:
    urls = []
    for route in ORG_ROUTES:
        kwargs = {name: OBJECT_MAKERS[name](victims) for name in route.kwargs if name != "org_slug"}
        urls.append((route.name, reverse(route.name, kwargs={"org_slug": cast.org.slug, **kwargs})))
    return urls


def _site_urls(cast) -> list[tuple[str, str]]:
    """Pages outside an organisation that take no argument, plus the two that do."""
    urls = [(r.name, "/" + r.route) for r in ALL_ROUTES if not r.kwargs and not r.route.startswith(("admin/", "^"))]
    with scopes_disabled():
        invitation = InvitationFactory(organization=cast.org)
    urls.append(("invitation_accept", reverse("invitation_accept", kwargs={"token": invitation.token})))
    urls.append(("sso_organization_login", f"/sso/{cast.org.slug}/"))
    return urls


def _facilitator(cast, victims):
    with scopes_disabled():
        membership = MembershipFactory(
            organization=cast.org, role=Role.FACILITATOR, user__email="fiona@example.org", user__display_name="Fiona"
        )
        CohortMemberFactory(cohort=victims.cohort, membership=membership, role=CohortRole.FACILITATOR)
    return membership.user


def test_every_page_is_translated_under_a_pseudo_locale(client, cast, victims, pseudo_locale, capsys):
    victims.meeting, victims.cohort_member, victims.reflection  # noqa: B018 - lists have something to list
    with scopes_disabled():  # a series described in words, a row in the ledger
        SeriesFactory(cohort=victims.cohort, rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=6")
        NotificationFactory(recipient=cast.bob, meeting=victims.meeting)
    facilitator = _facilitator(cast, victims)
    org_urls, site_urls = _org_urls(cast, victims), _site_urls(cast)
    data = _data_values()
    found, rendered = {}, defaultdict(set)

    for name, url in site_urls:  # signed out
        if _check(client.get(url, follow=True), f"{name} signed out", found, data):
            rendered[name].add("signed out")
    for reader, role in [(cast.alice.user, "admin"), (facilitator, "facilitator"), (cast.bob.user, "member")]:
        client.force_login(reader)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        for name, url in [*org_urls, *site_urls]:
            if _check(client.get(url), f"{name} as {role}", found, data):
                rendered[name].add(role)

    # Form error states: each form sent back empty, as the admin, undone afterwards.
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    posted = 0
    for name, url in org_urls:
        if "admin" not in rendered[name]:
            continue
        with transaction.atomic():
            if _check(client.post(url, {}, follow=True), f"{name} sent empty", found, data):
                posted += 1
            transaction.set_rollback(True)

    with capsys.disabled():
        print(
            f"\npseudo-locale: {len(rendered)} pages rendered ({sum(map(len, rendered.values()))} page × reader), "
            f"{posted} forms sent empty, {len(pseudo_locale.transformed)} strings transformed, "
            f"{sum(len(w) for w in found.values())} English words left"
        )
    assert found == {}, "\n".join(f"{where}: {' '.join(words)}" for where, words in sorted(found.items()))
    assert {"organization_home", "meeting_detail", "reflection_detail", "account_login", "profile"} <= set(rendered)


def test_an_unmarked_word_is_caught_and_a_marked_one_is_not(pseudo_locale):
    page = Template(
        '{% load i18n %}<h1>{% translate "Save" %} Cancel</h1><button aria-label="Close">×</button>'
        "<script>var hidden = 1;</script><code>FREQ=WEEKLY</code>"
        "{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}"
    ).render(Context({"name": "Ffion"}))

    text, shown_values = visible_text(page)

    assert "⟦Şáʋé⟧" in text
    assert english_words(text, ["Ffion"]) == ["Cancel", "Close"]
    assert shown_values == []
