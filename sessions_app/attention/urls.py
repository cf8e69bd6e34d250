"""Attention settings (a person's own settings, the organisation's ceilings); mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.attention import views

urlpatterns = [
    path("attention/", views.attention_settings_view, name="attention_settings"),
    path("attention/quiet-dates/", views.quiet_dates_view, name="attention_quiet_dates"),
    path("meeting-load/", views.meeting_load_review, name="meeting_load_review"),
    path("meeting-load/skip/", views.meeting_load_skip, name="meeting_load_skip"),
]
