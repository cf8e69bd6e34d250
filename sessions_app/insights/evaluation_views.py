"""Pages of the evaluation as programmes report it (issue 13): a meeting's results, a
cohort's results for a period with its CSV, and the admins' questionnaire editor."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import org_admin_required
from accounts.models import group_size
from sessions_app.cohorts import selectors as cohort_selectors
from sessions_app.cohorts.presets import PRESETS
from sessions_app.insights import export, questionnaires
from sessions_app.insights.questions import AGREEMENT, ATTEND_AGAIN, FREE_TEXT, question_of
from sessions_app.insights.results import may_read_programme_results, results_show
from sessions_app.meetings import selectors as meeting_selectors


def _readable_cohort(membership, cohort_id):
    try:
        cohort = cohort_selectors.access_cohort(membership, cohort_id)
    except Http404:
        # The steering group oversees a programme it need not be in (the same 404 otherwise).
        cohort = cohort_selectors.access_steered_cohort(membership, cohort_id)
    if not may_read_programme_results(membership, cohort):
        raise PermissionDenied("Only the people who run this programme read its evaluations.")
    return cohort


@require_GET
def meeting_results(request, org_slug, meeting_id):
    try:
        meeting = meeting_selectors.access_meeting(request.membership, meeting_id)
    except Http404:
        meeting = meeting_selectors.access_steered_meeting(request.membership, meeting_id)
    if not may_read_programme_results(request.membership, meeting.cohort):
        raise PermissionDenied("Only the people who run this programme read its evaluations.")
    result = results_show(cohort=meeting.cohort, meetings=[meeting], now=timezone.now())[meeting.pk]
    context = {"meeting": meeting, "result": result, "k": group_size(request.organization)}
    return render(request, "sessions_app/insights/meeting_results.html", context)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError(_("The end of the period comes before its start."))
        if start and end and (end - start).days > export.MAX_DAYS:
            raise ValidationError(_("Choose a period of three years at most."))
        return data


def _period(request) -> tuple[PeriodForm, tuple | None]:
    today = timezone.localdate()
    initial = {"start": today - timedelta(days=90), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET else None, initial=initial)
    if not form.is_bound:
        return form, (initial["start"], initial["end"])
    return form, (form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_valid() else None


@require_GET
def cohort_evaluations(request, org_slug, cohort_id):
    cohort = _readable_cohort(request.membership, cohort_id)
    cohort.organization = request.organization
    form, period = _period(request)
    rows = []
    if period:
        now = timezone.now()
        meetings = export.period_meetings(cohort, since=period[0], until=period[1], now=now)
        results = results_show(cohort=cohort, meetings=meetings, now=now)
        rows = [(meeting, results[meeting.pk]) for meeting in meetings]
    context = {"cohort": cohort, "form": form, "period": period, "rows": rows, "k": group_size(request.organization)}
    return render(request, "sessions_app/insights/cohort_evaluations.html", context)


@never_cache
@require_GET
def cohort_evaluations_csv(request, org_slug, cohort_id):
    cohort = _readable_cohort(request.membership, cohort_id)
    cohort.organization = request.organization
    form, period = _period(request)
    if period is None:
        return render(
            request,
            "sessions_app/insights/cohort_evaluations.html",
            {"cohort": cohort, "form": form, "period": None, "rows": [], "k": group_size(request.organization)},
            status=400,
        )
    text = export.evaluation_csv(cohort=cohort, since=period[0], until=period[1], now=timezone.now())
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    # Only characters we chose: the cohort's public id and the dates, never its name.
    response["Content-Disposition"] = (
        f'attachment; filename="evaluations-{cohort.public_id}-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store, private"
    return response


@org_admin_required
@require_GET
def questionnaire_list(request, org_slug):
    kinds = [
        (key, preset.label, [question_of(e) for e in questionnaires.current_entries(request.organization, key)])
        for key, preset in PRESETS.items()
    ]
    return render(request, "sessions_app/insights/questionnaire_list.html", {"kinds": kinds})


TYPE_CHOICES = [
    (AGREEMENT, _("Agreement, 1 to 5")),
    (ATTEND_AGAIN, _("Yes, no or maybe")),
    (FREE_TEXT, _("Free text")),
]


class QuestionForm(forms.Form):
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Question"), required=False, max_length=questionnaires.MAX_TEXT)
    short = forms.CharField(label=_("Short label"), required=False, max_length=questionnaires.MAX_SHORT)
    type = forms.ChoiceField(label=_("Answer"), choices=TYPE_CHOICES)
    order = forms.IntegerField(label=_("Position"), min_value=1, max_value=99)
    retire = forms.BooleanField(label=_("Retire this question"), required=False)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=0)


def _initial(entries: list[dict]) -> list[dict]:
    rows = []
    for position, entry in enumerate(entries, start=1):
        question = question_of(entry)
        rows.append(
            {
                "key": entry["key"],
                "text": question.text,
                "short": question.short,
                "type": question.type,
                "order": position,
            }
        )
    blank = {"key": "", "text": "", "short": "", "type": AGREEMENT, "order": len(rows) + 1}
    return [*rows, blank]


def _posted_entries(formset) -> list[dict]:
    kept = [
        data
        for data in formset.cleaned_data
        if data and not data.get("retire") and (data.get("key") or data.get("text") or data.get("short"))
    ]
    return sorted(kept, key=lambda data: data["order"])


@org_admin_required
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request, org_slug, kind):
    if kind not in PRESETS:
        raise Http404("No such kind of cohort.")
    entries = questionnaires.current_entries(request.organization, kind)
    formset = QuestionFormSet(request.POST or None, initial=_initial(entries), prefix="q")
    if request.method == "POST" and formset.is_valid():
        try:
            saved = questionnaires.questionnaire_save(
                organization=request.organization,
                kind=kind,
                entries=_posted_entries(formset),
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            formset.non_form_errors().extend(error.messages)
        else:
            messages.success(
                request,
                _("Saved. Past answers keep the questions they were given.") if saved else _("Nothing changed."),
            )
            return redirect("questionnaire_list", org_slug=org_slug)
    context = {"kind": kind, "label": PRESETS[kind].label, "formset": formset}
    return render(request, "sessions_app/insights/questionnaire_edit.html", context)
