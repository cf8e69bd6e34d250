"""Insights (k-anonymous aggregates) and session evaluations; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.views import insights

urlpatterns = [
    path("cohorts/<str:cohort_id>/insights/", insights.cohort_insights, name="cohort_insights"),
    path("meetings/<str:meeting_id>/evaluation/", insights.meeting_evaluation, name="meeting_evaluation"),
]
