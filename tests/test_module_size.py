"""No application module grows past 400 lines (STYLE: short modules, one concern each);
migrations are generated and tests are exempt. A module that needs more splits by concern
(as settings did into reflect/*_settings.py, and rrule into rrule_words)."""

from pathlib import Path

LIMIT = 400
ROOT = Path(__file__).resolve().parent.parent


def test_no_application_module_is_over_400_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for package in ("accounts", "reflect", "sessions_app")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}
