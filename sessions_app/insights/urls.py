"""Insights (k-anonymous aggregates) and session evaluations; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.insights import evaluation_views, views

urlpatterns = [
    path("cohorts/<str:cohort_id>/insights/", views.cohort_insights, name="cohort_insights"),
    path("cohorts/<str:cohort_id>/programme-figures/", views.programme_figures, name="programme_figures"),
    path("cohorts/<str:cohort_id>/evaluations/", evaluation_views.cohort_evaluations, name="cohort_evaluations"),
    path(
        "cohorts/<str:cohort_id>/evaluations.csv",
        evaluation_views.cohort_evaluations_csv,
        name="cohort_evaluations_csv",
    ),
    path("meetings/<str:meeting_id>/evaluation/", views.meeting_evaluation, name="meeting_evaluation"),
    path("meetings/<str:meeting_id>/evaluation/results/", evaluation_views.meeting_results, name="meeting_results"),
    path("admin/attendance/", views.organization_attendance, name="organization_attendance"),
    path("admin/attention/", views.organization_attention, name="organization_attention"),
    path("admin/evaluations/", evaluation_views.questionnaire_list, name="questionnaire_list"),
    path("admin/evaluations/<str:kind>/", evaluation_views.questionnaire_edit, name="questionnaire_edit"),
]
