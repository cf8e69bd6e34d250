"""Cohort insights (k-anonymous monthly aggregates, for admins and the cohort's
facilitators) and the optional session evaluation (for the people who went)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import org_admin_required
from accounts.models import group_size
from sessions_app.attention import budgets
from sessions_app.attention import services as attention_settings
from sessions_app.attention.forms import AttentionPolicyForm
from sessions_app.cohorts import selectors as cohort_selectors
from sessions_app.insights import evaluations, feedback_figures, figures, headcounts, questionnaires, services
from sessions_app.insights.questions import FREE_TEXT, MAX_COMMENT_LENGTH, QUESTIONS
from sessions_app.insights.svg import Bar, bar_chart


@require_GET
def cohort_insights(request, org_slug, cohort_id):
    cohort = cohort_selectors.access_managed_cohort(request.membership, cohort_id)
    return render(request, "sessions_app/insights/cohort_insights.html", _insights_context(request, cohort, cohort))


@require_GET
def programme_figures(request, org_slug, cohort_id):
    """The same k-anonymous figures for the members of the programme's steering group
    (the steering group's cohort page links here); 404 for everyone else."""
    cohort = cohort_selectors.access_steered_cohort(request.membership, cohort_id)
    context = _insights_context(request, cohort, back_to=cohort.steering_group)
    return render(request, "sessions_app/insights/cohort_insights.html", context)


def _insights_context(request, cohort, back_to) -> dict:
    cohort.organization = request.organization  # the same row, already loaded by the middleware
    insights = services.cohort_insights_show(cohort=cohort, now=timezone.now())
    months = insights.months
    charts = [
        bar_chart(
            chart_id="reflections",
            title=_("Reflections written each month in %(cohort)s") % {"cohort": cohort.name},
            bars=[Bar(m.label, m.reflections) for m in months],
        ),
        bar_chart(
            chart_id="attendance",
            title=_("Average number of people at each meeting of %(cohort)s, by month") % {"cohort": cohort.name},
            bars=[Bar(m.label, m.attendance) if m.meetings_held else Bar(m.label, 0, _("no meetings")) for m in months],
        ),
    ]
    return {
        "cohort": cohort,
        "insights": insights,
        "charts": charts,
        "questions": QUESTIONS,
        "too_few": figures.TOO_FEW,
        "evaluated_months": [m for m in months if m.evaluation is not None],
        "back_to": back_to,
    }


class EvaluationForm(forms.Form):
    """The questions of one questionnaire version, in its order; free text last is optional."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            if question.type == FREE_TEXT:
                self.fields["comment"] = forms.CharField(
                    required=False,
                    max_length=MAX_COMMENT_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    label=question.text,
                    help_text=_("Please don't name colleagues or patients."),
                )
            else:
                choices = [(str(value), label) for value, label in question.choices]
                self.fields[question.key] = forms.ChoiceField(
                    label=question.text, choices=choices, widget=forms.RadioSelect
                )


@require_http_methods(["GET", "POST"])
def meeting_evaluation(request, org_slug, meeting_id):
    membership = request.membership
    meeting = evaluations.access_evaluated_meeting(membership, meeting_id)
    refusal = evaluations.evaluation_refusal(meeting=meeting, respondent=membership, now=timezone.now())
    form = questionnaire = None
    if refusal is None:
        questionnaire = questionnaires.questionnaire_for_answering(
            organization=request.organization, kind=meeting.cohort.kind
        )
        questions = evaluations.questions_of(questionnaire)
        form = EvaluationForm(request.POST or None, questions=questions)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            evaluations.evaluation_submit(
                meeting=meeting,
                respondent=membership,
                ratings={q.key: data[q.key] for q in questions if q.type != FREE_TEXT},
                comment=data.get("comment", ""),
                questionnaire=questionnaire,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. Your answers only ever count in figures of several people."))
            return redirect("meeting_detail", org_slug=org_slug, meeting_id=meeting.public_id)
    context = {
        "meeting": meeting,
        "form": form,
        "refusal": refusal,
        "k": group_size(membership.organization),
    }
    status = 403 if refusal and request.method == "POST" else 200
    return render(request, "sessions_app/insights/evaluation_form.html", context, status=status)


@org_admin_required
@require_http_methods(["GET", "POST"])
def organization_attention(request, org_slug):
    """The organisation's attention policy, beside the k-anonymous figures of how many
    messages people actually got (which is why the page lives here, above attention)."""
    policy = budgets.policy_for(request.organization)
    form = AttentionPolicyForm(
        request.POST or None, initial={f: getattr(policy, f) for f in AttentionPolicyForm.base_fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            attention_settings.policy_update(
                organization=request.organization, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved. New defaults apply to people who haven't chosen their own."))
            return redirect("organization_attention", org_slug=org_slug)
    distribution = services.notification_distribution_show(organization=request.organization, now=timezone.now())
    return render(request, "sessions_app/organization_attention.html", {"form": form, "distribution": distribution})


@org_admin_required
@require_GET
def organization_attendance(request, org_slug):
    """Headcounts only, through the k rule: never who came (``insights.headcounts``)."""
    now = timezone.now()
    months = headcounts.organization_headcounts_show(organization=request.organization, now=now)
    feedback = feedback_figures.feedback_figures_show(organization=request.organization, now=now)
    context = {"months": months, "feedback_quarters": feedback, "k": group_size(request.organization)}
    return render(request, "sessions_app/insights/organization_attendance.html", context)
