"""Reflections — the most sensitive thing Reflect holds — and the few team records a
debrief may keep. Reflection answers are encrypted at rest (``EncryptedTextField``)."""

import json

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantModel
from reflect.fields import EncryptedTextField, public_id_field
from reflect.text import validate_single_line
from sessions_app.cohorts.models import Cohort
from sessions_app.meetings.models import Meeting
from sessions_app.notifications.models import Notification


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Only me")
    FACILITATORS = "facilitators", _("My cohort's facilitators")
    COHORT = "cohort", _("My cohort, with my name")
    COHORT_ANONYMOUS = "cohort_anonymous", _("My cohort, without my name")


class ReflectionTemplate(TenantModel):
    """An organisation's own template: prompts (key, question, max_length) as JSON."""

    public_id = public_id_field()
    name = models.CharField(max_length=120, validators=[validate_single_line])
    description = models.CharField(max_length=300, blank=True)
    prompts = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="reflection_template_unique_name"),
        ]


class Reflection(TenantModel):
    public_id = public_id_field()
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="reflections")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    template_key = models.CharField(max_length=60)  # "rolfe", or "custom:<public id>"
    template_name = models.CharField(max_length=120)  # kept so a deleted template leaves readable history
    # JSON {prompt key: answer}, encrypted as one token: nothing of it is readable in the database.
    answers_json = EncryptedTextField(blank=True, db_column="answers_encrypted")
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.PRIVATE)
    # The NMC Code's themes an NMC reflective account relates to (keys of
    # builtin_templates.CODE_THEMES); empty for every other template.
    code_themes = models.JSONField(default=list, blank=True)
    # Who a share reaches: the people in the cohort (for "facilitators", its facilitators)
    # at ``shared_at``; with ``reaches_later_members``, also whoever joins (or becomes a
    # facilitator) later. A newcomer never reads the past by default.
    shared_at = models.DateTimeField(null=True, blank=True)
    reaches_later_members = models.BooleanField(default=False)
    is_draft = models.BooleanField(default=True)
    pinned = models.BooleanField(default=False, help_text=_("Kept beyond the organisation's retention period."))
    # The notice that told the author this reflection is due for deletion: retention
    # deletes nothing its author was not told about (reflections/retention.py).
    retention_notice = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "cohort", "visibility"], name="reflection_shared_idx")]

    def __str__(self) -> str:
        # Never the text: this string ends up in logs, admin pages and error reports.
        return f"Reflection {self.public_id}"

    @property
    def answers(self) -> dict[str, str]:
        return json.loads(self.answers_json) if self.answers_json else {}

    @answers.setter
    def answers(self, value: dict[str, str]) -> None:
        self.answers_json = json.dumps(value, ensure_ascii=False)


class ActionPoint(TenantModel):
    """The only team record a hot debrief keeps: what, who, by when."""

    public_id = public_id_field()
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_points")
    # What a team decided after an incident often names people: encrypted like reflections.
    what = EncryptedTextField(max_length=300)
    owner = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done", "due", "created_at"]


class QuestionType(models.TextChoices):
    # The same strings as the pure ``insights.questions`` (AGREEMENT, ATTEND_AGAIN, FREE_TEXT).
    SCALE = "scale", _("Agreement, 1 to 5")
    YES_NO_MAYBE = "yes_no_maybe", _("Yes, no or maybe")
    TEXT = "text", _("Free text")


class EvaluationQuestionnaire(TenantModel):
    """One version of an organisation's evaluation questionnaire for one cohort kind.

    A version never changes once saved: editing saves the next version, and each
    evaluation keeps the version it answered, so a past answer always keeps the question
    it was given to. ``questions`` is an ordered JSON list of ``{key, type, text, short}``;
    an empty text or short is the built-in wording of that key (``insights.questions``).
    No row for a kind means the kind's default questionnaire.
    """

    cohort_kind = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    questions = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort_kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cohort_kind", "version"], name="evaluation_questionnaire_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Questionnaire {self.cohort_kind} v{self.version}"


class SessionEvaluation(TenantModel):
    """A short Schwartz-style evaluation; reported only as aggregates above k.
    The respondent is kept only to allow one answer each, and is never shown."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="evaluations")
    respondent = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    # The questionnaire version answered. Empty: the four questions every evaluation asked
    # before questionnaires could be edited (``insights.questions.LEGACY_KEYS``).
    questionnaire = models.ForeignKey(
        EvaluationQuestionnaire, null=True, on_delete=models.RESTRICT, related_name="evaluations"
    )
    ratings = models.JSONField(default=dict)  # {question key: 1..5, or "yes" / "no" / "maybe"}
    # The answer to the questionnaire's free-text question, if it has one.
    comment = EncryptedTextField(blank=True, max_length=1000, db_column="comment_encrypted")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "respondent"], name="evaluation_one_per_person"),
        ]


class ReflectionDraft(TenantModel):
    """What a person has typed into a new reflection and not yet saved, kept as they type
    (one per author, meeting and template). Encrypted like the reflection it will become;
    nobody but its author ever reads it, and saving the reflection removes it."""

    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="reflection_drafts")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The meeting's public id, or "" for a reflection about no meeting: unlike the nullable
    # key above, it makes "one draft per place" a constraint every database enforces.
    place = models.CharField(max_length=40, blank=True)
    template_key = models.CharField(max_length=60)
    answers_json = EncryptedTextField(blank=True, db_column="answers_encrypted")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["author", "place", "template_key"], name="reflection_draft_one_per_place"),
        ]

    def __str__(self) -> str:
        return f"Reflection draft {self.pk}"  # never the text

    @property
    def answers(self) -> dict[str, str]:
        return json.loads(self.answers_json) if self.answers_json else {}

    @answers.setter
    def answers(self, value: dict[str, str]) -> None:
        self.answers_json = json.dumps(value, ensure_ascii=False)
