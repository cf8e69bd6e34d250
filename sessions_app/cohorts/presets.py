"""Cohort kinds and the defaults each one brings. Pure data: admins may change every
value on the cohort afterwards; the preset only saves them thinking about it."""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class KindPreset:
    label: str
    description: str
    duration_minutes: int
    frequency: str  # a rrule.build_rrule frequency, or "" for ad hoc
    min_members: int | None = None
    max_members: int | None = None
    max_facilitators: int | None = None
    panel_size: int = 0
    panel_prep_days: int = 0
    ground_rules: str = ""
    # Open to everyone in the organisation when created (Schwartz Rounds are for all staff).
    is_open: bool = False


CONFIDENTIALITY = _(
    "What is said here stays here. We speak about our own experience, not about colleagues "
    "who are absent. We listen without fixing. Anyone may pass. Patient details are left out."
)

PRESETS: dict[str, KindPreset] = {
    "schwartz_rounds": KindPreset(
        label=_("Schwartz Rounds"),
        description=_("A monthly hour where a panel of three shares the human side of care and everyone reflects."),
        duration_minutes=60,
        frequency="monthly_weekday",
        panel_size=3,
        panel_prep_days=7,
        ground_rules=format_lazy("{} {}", CONFIDENTIALITY, _("Rounds are not for problem-solving.")),
        is_open=True,
    ),
    "balint_group": KindPreset(
        label=_("Balint group"),
        description=_("A small, stable group meeting fortnightly to explore the clinician–patient relationship."),
        duration_minutes=90,
        frequency="fortnightly",
        min_members=6,
        max_members=12,
        max_facilitators=2,
        ground_rules=CONFIDENTIALITY,
    ),
    "team_time": KindPreset(
        label=_("Team Time"),
        description=_("A short, regular pause for a whole team to talk about how the work feels."),
        duration_minutes=15,
        frequency="weekly",
        ground_rules=CONFIDENTIALITY,
    ),
    "hot_debrief": KindPreset(
        label=_("Hot debrief"),
        description=_("STOP5 / TALK: ten minutes straight after a difficult event. Only action points are kept."),
        duration_minutes=10,
        frequency="",
        ground_rules=format_lazy("{} {}", CONFIDENTIALITY, _("No blame; this is not an investigation.")),
    ),
    "chaplaincy_case_reflection": KindPreset(
        label=_("Chaplaincy case reflection"),
        description=_("Chaplains reflect together on a pastoral encounter."),
        duration_minutes=60,
        frequency="monthly_weekday",
        ground_rules=CONFIDENTIALITY,
    ),
    "teaching_circle": KindPreset(
        label=_("Teaching reflection circle"),
        description=_("Teachers and trainees reflect on classroom and supervision experiences."),
        duration_minutes=45,
        frequency="fortnightly",
        ground_rules=CONFIDENTIALITY,
    ),
    "custom": KindPreset(
        label=_("Custom"),
        description=_("Set your own rhythm and size."),
        duration_minutes=60,
        frequency="weekly",
        ground_rules=CONFIDENTIALITY,
    ),
}

KIND_CHOICES = [(key, preset.label) for key, preset in PRESETS.items()]
