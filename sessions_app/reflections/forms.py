"""Forms of reflections, reflection templates and action points."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reflect.text import validate_single_line
from reflect.widgets import IsoDateInput
from sessions_app.reflections.builtin_templates import CODE_THEMES, DATE, DEFAULT_PROMPT_LENGTH, MAX_PROMPT_LENGTH
from sessions_app.reflections.models import Visibility

# Rows of a text box: a few for a short answer, more where a template allows long work.
_SHORT_ROWS, _LONG_ROWS, _LONG_FROM = 4, 16, 2000


class ReflectionForm(forms.Form):
    """One text box per prompt of the chosen template, each with its own limit (the page
    shows a live counter), plus who may read it."""

    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.PRIVATE, widget=forms.RadioSelect, label=_("Who may read this")
    )
    cohort = forms.ChoiceField(required=False, label=_("Cohort (to share with)"))
    reaches_later_members = forms.BooleanField(
        required=False,
        label=_("People who join the cohort later may read it too"),
        help_text=_("Left unticked, it reaches only the people in the cohort (or its facilitators) now."),
    )
    anonymised_checked = forms.BooleanField(
        required=False, label=_("I've checked: nobody can be identified. Save anyway.")
    )

    def __init__(self, *args, template, cohorts=(), meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        for prompt in template.prompts:
            self.fields[f"answer_{prompt.key}"] = _answer_field(prompt)
        if template.has_code_themes:
            self.fields["code_themes"] = forms.MultipleChoiceField(
                choices=list(CODE_THEMES.items()),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=_("Themes of the Code this account relates to"),
            )
        self.order_fields(
            [f"answer_{p.key}" for p in template.prompts]
            + ["code_themes", "visibility", "cohort", "reaches_later_members"]
        )
        if meeting is not None:
            del self.fields["cohort"]
        else:
            self.fields["cohort"].choices = [("", "—")] + [(c.public_id, c.name) for c in cohorts]

    def answers(self) -> dict[str, str]:
        return {p.key: _as_text(self.cleaned_data.get(f"answer_{p.key}")) for p in self.template.prompts}

    def code_themes(self) -> list[str]:
        return self.cleaned_data.get("code_themes") or []

    def all_text(self) -> str:
        """What the author wrote, for the anonymisation nudge: a date prompt's own day (a
        review date) is not a patient's date of birth."""
        answers = self.answers()
        return "\n".join(answers[p.key] for p in self.template.prompts if p.kind != DATE)


def _answer_field(prompt) -> forms.Field:
    if prompt.kind == DATE:
        # A day, from the browser's date picker; "Enter a valid date." for anything else.
        return forms.DateField(label=prompt.question, required=False, widget=IsoDateInput())
    return forms.CharField(
        label=prompt.question,
        required=False,
        max_length=prompt.max_length,
        widget=forms.Textarea(
            attrs={
                "rows": _LONG_ROWS if prompt.max_length > _LONG_FROM else _SHORT_ROWS,
                "maxlength": prompt.max_length,
                "data-counter": "true",
            }
        ),
    )


def _as_text(value) -> str:
    """An answer as stored: the text, or a date prompt's day as ISO 8601."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else value


class ActionPointForm(forms.Form):
    what = forms.CharField(max_length=300, label=_("What"))
    owner = forms.ChoiceField(required=False, label=_("Who"))
    due = forms.DateField(required=False, widget=IsoDateInput(), label=_("By when"))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(m.public_id, m.user.name) for m in people]


class ReflectionTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, validators=[validate_single_line])
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    questions = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set here, in the reader's language: a lazy string formatted at import would not be.
        self.fields["questions"].help_text = _(
            "One question per line, up to 8. Add “| 400” after a question to set its length limit "
            "(20–%(most)s characters; %(default)s if you leave it out). A long limit suits longer work, "
            "such as a verbatim."
        ) % {"most": MAX_PROMPT_LENGTH, "default": DEFAULT_PROMPT_LENGTH}

    def clean_questions(self):
        prompts = []
        for line in self.cleaned_data["questions"].splitlines():
            if not line.strip():
                continue
            question, _, limit = line.partition("|")
            try:
                prompts.append((question.strip(), int(limit) if limit.strip() else DEFAULT_PROMPT_LENGTH))
            except ValueError:
                raise ValidationError(
                    _("“%(limit)s” is not a number of characters.") % {"limit": limit.strip()}
                ) from None
        return prompts
