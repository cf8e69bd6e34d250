"""Pages in Welsh: the catalogue is complete, compiles, and a page asks for it renders in
it. The catalogue is compiled here from the committed .po (not a stale .mo from ``make``)."""

import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from sessions_app.meetings.rrule import validate_rrule
from tests.factories import CohortMemberFactory, MeetingFactory, SeriesFactory

pytestmark = pytest.mark.i18n

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.po"


def _entries(po_text: str) -> list[str]:
    return [block for block in po_text.split("\n\n") if "msgid " in block and not block.startswith('msgid ""')]


def _untranslated(po_text: str) -> list[str]:
    """Entries that are fuzzy or have an empty translation (in any plural form)."""
    bad = []
    for block in _entries(po_text):
        lines = block.splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        # An empty msgstr: "" with no continuation line after it.
        continued = [*lines[1:], ""]
        empty = any(
            line.startswith("msgstr") and line.endswith(' ""') and not following.startswith('"')
            for line, following in zip(lines, continued, strict=True)
        )
        if fuzzy or empty:
            bad.append(block)
    return bad


@pytest.fixture
def welsh_catalogue(tmp_path, settings):
    """The committed Welsh catalogue, compiled into a fresh directory Django reads."""
    compiled = tmp_path / "locale" / "cy" / "LC_MESSAGES"
    compiled.mkdir(parents=True)
    subprocess.run(["msgfmt", "--check", "-o", str(compiled / "django.mo"), str(CATALOGUE)], check=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]


def test_the_welsh_catalogue_compiles_and_every_message_is_translated():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert _untranslated(CATALOGUE.read_text(encoding="utf-8")) == []


def test_untranslated_finds_empty_and_fuzzy_entries():
    po = (
        'msgid ""\nmsgstr ""\n\n'
        'msgid "Save"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Back"\nmsgstr "Yn ôl"\n\n'
        'msgid "Go"\nmsgstr "Ewch"\n'
    )
    assert _untranslated(po) == ['msgid "Save"\nmsgstr ""', '#, fuzzy\nmsgid "Back"\nmsgstr "Yn ôl"']


def test_makemessages_leaves_no_fuzzy_or_empty_entries(tmp_path):
    """Every string marked in the code has a Welsh translation in the committed catalogue:
    makemessages, run over a copy of the code, adds nothing empty and marks nothing fuzzy."""
    root = Path(settings.BASE_DIR)
    ignored = shutil.ignore_patterns(".venv", "var", "__pycache__", "*.mo", "node_modules", ".git")
    for name in ("accounts", "sessions_app", "reflect", "locale"):
        shutil.copytree(root / name, tmp_path / name, ignore=ignored)
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "cy", "--add-location=file", "--verbosity", "0"],
        cwd=tmp_path,
        check=True,
    )
    regenerated = (tmp_path / "locale" / "cy" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert _untranslated(regenerated) == []


def _chooses_welsh(user) -> None:
    user.language = "cy"
    user.save(update_fields=["language"])


@pytest.mark.django_db
def test_a_page_renders_in_welsh_for_a_person_who_chose_it(client, cast, welsh_catalogue, unscoped):
    MeetingFactory(cohort__organization=cast.org)
    _chooses_welsh(cast.bob.user)
    client.force_login(cast.bob.user)

    # The browser asks for English: a person's own choice wins (docs/translating.md).
    page = client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug}), HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    assert page["Content-Language"] == "cy"
    assert '<html lang="cy">' in html
    assert ">Eich sesiwn ôl-drafod nesaf</h2>" in html
    assert ">Allgofnodi</button>" in html
    assert ">Carfanau</a>" in html
    assert "Your next debrief" not in html


@pytest.mark.django_db
def test_a_signed_in_page_outside_an_organisation_follows_accept_language(client, cast, welsh_catalogue):
    # A person who never chose: outside an organisation's pages the browser's language;
    # inside them their organisation's default comes first (tests/languages/).
    client.force_login(cast.bob.user)

    page = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="cy")

    html = page.content.decode()
    assert page["Content-Language"] == "cy"
    assert '<html lang="cy">' in html
    assert ">Allgofnodi</button>" in html
    assert "Log out" not in html


@pytest.mark.django_db
def test_accept_language_cy_gives_a_signed_out_visitor_welsh(client, welsh_catalogue):
    html = client.get(reverse("sso_start"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()

    assert '<html lang="cy">' in html
    assert "<h1>Mewngofnodi drwy fewngofnodi sengl</h1>" in html


@pytest.mark.django_db
def test_the_language_cookie_chooses_welsh_for_a_signed_out_page(client, welsh_catalogue):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"

    html = client.get(reverse("sso_start")).content.decode()

    assert "<h1>Mewngofnodi drwy fewngofnodi sengl</h1>" in html
    assert '<label for="sso-email">Eich cyfeiriad e-bost gwaith</label>' in html


@pytest.mark.django_db
def test_english_stays_the_default_without_a_choice(client, welsh_catalogue):
    html = client.get(reverse("sso_start")).content.decode()

    assert '<html lang="en-gb">' in html
    assert "<h1>Sign in with single sign-on</h1>" in html


@pytest.mark.django_db
def test_a_series_is_described_in_welsh_words_and_dates(client, cast, welsh_catalogue, unscoped):
    member = CohortMemberFactory(cohort__organization=cast.org, membership=cast.bob)
    SeriesFactory(cohort=member.cohort, rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=6", first_date=date(2027, 1, 5))
    url = reverse("cohort_detail", kwargs={"org_slug": cast.org.slug, "cohort_id": member.cohort.public_id})

    _chooses_welsh(cast.bob.user)

    with time_machine.travel(datetime(2026, 12, 20, 12, 0, tzinfo=UTC), tick=False):
        client.force_login(cast.bob.user)
        html = client.get(url).content.decode()

    assert "Yn fisol ar y Dydd Mawrth cyntaf, 6 gwaith am 09:00 (Europe/London)" in html
    assert "nesaf ar Dydd Mawrth 5 Ionawr" in html


def test_a_hand_typed_rule_is_refused_in_welsh(welsh_catalogue):
    with translation.override("cy"), pytest.raises(ValueError) as refused:
        validate_rrule("FREQ=HOURLY")

    assert str(refused.value) == "Mae sesiynau ôl-drafod yn ailadrodd bob dydd ar y mwyaf; ni chaniateir FREQ=HOURLY."
