"""The members page; mounted under /o/<org_slug>/ (its actions are in accounts.urls)."""

from django.urls import path

from sessions_app.members import views

urlpatterns = [
    path("admin/members/", views.members_list, name="members_list"),
]
