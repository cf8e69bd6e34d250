"""Attention settings (a person's budget, the organisation's ceilings); mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.attention import views

urlpatterns = [
    path("attention/", views.attention_settings_view, name="attention_settings"),
    path("admin/attention/", views.organization_attention, name="organization_attention"),
]
