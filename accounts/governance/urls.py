"""The organisation's settings page; mounted under ``/o/<org_slug>/``."""

from django.urls import path

from accounts.governance import views

urlpatterns = [
    path("settings/", views.organization_settings, name="organization_settings"),
]
