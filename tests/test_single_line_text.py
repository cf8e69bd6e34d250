"""Names, titles and places are one line of text: every form that writes one, and the
models under the Django admin, refuse control characters with a clear message and
change nothing. (A line break in a cohort name once stopped every reminder.)"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.forms import ProfileForm
from accounts.models import Organization, User
from reflect.text import CONTROL_CHARACTER_MESSAGE, single_line
from sessions_app.cohorts.forms import CohortCreateForm, CohortEditForm
from sessions_app.cohorts.models import Cohort
from sessions_app.meetings.forms import HotDebriefForm, MeetingEditForm, SeriesForm
from sessions_app.meetings.models import Meeting, Series
from sessions_app.reflections.forms import ReflectionTemplateForm
from sessions_app.reflections.models import ReflectionTemplate
from tests.factories import CohortFactory, CohortMemberFactory

pytestmark = [pytest.mark.security, pytest.mark.django_db]

BAD = [
    "Night\nshift",
    "Night\r\nshift",
    "Night\rshift",
    "Night\tshift",
    "Night\x1b[31mshift",
    "Night\x00shift",
    "Night\x85shift",  # NEL, a C1 control
    "Night\u2028shift",  # LINE SEPARATOR
    "Night\u2029shift",  # PARAGRAPH SEPARATOR
]
BAD_IDS = ["lf", "crlf", "cr", "tab", "escape", "nul", "nel", "line-separator", "paragraph-separator"]

FORM_FIELDS = [
    (CohortCreateForm, "name"),
    (CohortEditForm, "name"),
    (SeriesForm, "title"),
    (SeriesForm, "location"),
    (MeetingEditForm, "location"),
    (HotDebriefForm, "title"),
    (HotDebriefForm, "location"),
    (ReflectionTemplateForm, "name"),
    (ProfileForm, "display_name"),
]


@pytest.mark.parametrize("value", BAD, ids=BAD_IDS)
@pytest.mark.parametrize(("form_class", "field"), FORM_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_forms_refuse_control_characters_in_names_titles_and_places(form_class, field, value):
    form = form_class(data={field: value})

    assert not form.is_valid()
    if "\x00" in value:  # Django's own check may speak first, or alone
        assert set(form.errors[field]) <= {CONTROL_CHARACTER_MESSAGE, "Null characters are not allowed."}
    else:
        assert form.errors[field] == [CONTROL_CHARACTER_MESSAGE]


@pytest.mark.parametrize(("form_class", "field"), FORM_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_forms_accept_ordinary_names_with_accents_emoji_and_punctuation(form_class, field):
    form = form_class(data={field: "Équipe de nuit · Ward 7, bay 2; “quiet room” 🌙"})

    form.is_valid()

    assert field not in form.errors


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Organization, "name"),
        (User, "display_name"),
        (Cohort, "name"),
        (Series, "title"),
        (Series, "location"),
        (Meeting, "title"),
        (Meeting, "location"),
        (ReflectionTemplate, "name"),
    ],
)
def test_models_refuse_control_characters_so_the_admin_cannot_set_them(model, field):
    # The Django admin's forms run the model fields' validators.
    instance = model(**{field: "Night\nshift"})
    others = [f.name for f in model._meta.fields if f.name != field]

    with pytest.raises(ValidationError) as error:
        instance.clean_fields(exclude=others)

    assert error.value.message_dict == {field: [CONTROL_CHARACTER_MESSAGE]}


def _page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_cohort_edit_with_a_line_break_is_a_form_error_and_changes_nothing(client, cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Night shift")
    client.force_login(cast.alice.user)
    url = reverse("cohort_edit", kwargs={"org_slug": cast.org.slug, "cohort_id": cohort.public_id})
    form = {
        "name": "Night\nshift",
        "description": "",
        "ground_rules": "",
        "min_members": 2,
        "max_members": 12,
        "max_facilitators": 2,
        "default_duration_minutes": 60,
        "panel_size": 0,
        "panel_prep_days": 7,
    }

    response = client.post(url, form)

    assert response.status_code == 200
    assert "Use one line of plain text: no line breaks, tabs or other control characters." in _page(response)
    with scopes_disabled():
        cohort.refresh_from_db()
    assert cohort.name == "Night shift"


def test_hot_debrief_with_a_line_break_in_its_title_is_a_form_error_and_calls_nobody(client, cast, mailoutbox):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Ward 7")
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
    client.force_login(cast.alice.user)
    url = reverse("hot_debrief_create", kwargs={"org_slug": cast.org.slug, "cohort_id": cohort.public_id})

    response = client.post(
        url, {"title": "Bay 2\nincident", "starts_in": 60, "people": [cast.bob.public_id], "location": "Room 1"}
    )

    assert response.status_code == 200
    assert "Use one line of plain text: no line breaks, tabs or other control characters." in _page(response)
    with scopes_disabled():
        assert not Meeting.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Night\nshift", "Night shift"),
        ("Night\r\n\tshift ", "Night shift"),
        ("Night\u2028shift\x00", "Night shift"),
        ("Équipe 🌙", "Équipe 🌙"),
    ],
    ids=["line-feed", "crlf-and-tab", "separator-and-nul", "unchanged"],
)
def test_single_line_flattens_old_values_for_one_line_places(value, expected):
    assert single_line(value) == expected
