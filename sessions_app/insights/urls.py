"""Insights (k-anonymous aggregates) and session evaluations; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.insights import views

urlpatterns = [
    path("cohorts/<str:cohort_id>/insights/", views.cohort_insights, name="cohort_insights"),
    path("cohorts/<str:cohort_id>/programme-figures/", views.programme_figures, name="programme_figures"),
    path("meetings/<str:meeting_id>/evaluation/", views.meeting_evaluation, name="meeting_evaluation"),
    path("admin/attendance/", views.organization_attendance, name="organization_attendance"),
    path("admin/attention/", views.organization_attention, name="organization_attention"),
]
