"""CSV import of cohort members; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.imports import views

urlpatterns = [
    path("cohorts/<str:cohort_id>/import/", views.cohort_import, name="cohort_import"),
    path(
        "cohorts/<str:cohort_id>/imports/<str:import_id>/",
        views.cohort_import_status,
        name="cohort_import_status",
    ),
]
