"""Figures as they were first shown: once an aggregate of a period that has ended has been
shown to anyone, it never changes (see ``sessions_app.insights.services``)."""

import json

from django.db import models
from django.utils import timezone

from accounts.models import TenantModel
from reflect.fields import EncryptedTextField
from sessions_app.cohorts.models import Cohort


class ShownFigures(TenantModel):
    """The raw tallies behind one aggregate of one ended period, kept from its first showing.

    No row says whose a figure is: tallies are numbers of things and of distinct people,
    and ``texts`` (evaluation comments shown with a month's averages) are kept sorted,
    encrypted, and never with a respondent.
    """

    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # What and which period, e.g. "cohort:<public id>:2026-02:counts" or "notifications:2026-10-26".
    subject = models.CharField(max_length=120)
    figures = models.JSONField(default=dict)
    texts_json = EncryptedTextField(blank=True, db_column="texts_encrypted")  # JSON list of strings
    shown_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "subject"], name="shown_figures_once_per_subject"),
        ]

    def __str__(self) -> str:
        return f"Figures {self.subject}"

    @property
    def texts(self) -> list[str]:
        return json.loads(self.texts_json) if self.texts_json else []

    @texts.setter
    def texts(self, value: list[str]) -> None:
        self.texts_json = json.dumps(sorted(value), ensure_ascii=False) if value else ""
