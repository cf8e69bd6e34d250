"""The audit trail's pages; mounted under ``/o/<org_slug>/``."""

from django.urls import path

from accounts.audit import views

urlpatterns = [
    path("admin/audit/", views.audit_trail, name="audit_trail"),
    path("admin/audit/export.csv", views.audit_trail_csv, name="audit_trail_csv"),
]
