"""Member-facing pages; mounted under ``/o/<org_slug>/``."""

from django.urls import path

from sessions_app import views

urlpatterns = [
    path("", views.organization_home, name="organization_home"),
]
