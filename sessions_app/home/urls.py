"""The member's home in one organisation; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.home import views

urlpatterns = [
    path("", views.organization_home, name="organization_home"),
]
