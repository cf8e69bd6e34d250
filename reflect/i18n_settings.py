"""Languages (issue 12), kept out of settings.py so that it stays readable; settings.py
imports them all. Who sees which language: docs/translating.md."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

LANGUAGE_CODE = "en-gb"
# The languages a person (their profile page) or an organisation (its default, on its
# settings page) may choose, and the ones the interface is translated into.
LANGUAGES = [("en-gb", _("English")), ("cy", _("Cymraeg (Welsh)"))]
# One project catalogue; `make` compiles it (the .mo files are build output, not in git).
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
USE_I18N = True
# Stored and computed in UTC; shown in each person's (or series') own zone.
TIME_ZONE = "UTC"
USE_TZ = True
