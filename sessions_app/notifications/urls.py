"""The ledger; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.notifications import views

urlpatterns = [
    path("ledger/", views.ledger, name="ledger"),
]
