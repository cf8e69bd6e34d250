"""The records page and its two downloads; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.records import verify, views

urlpatterns = [
    path("me/records/", views.my_records, name="my_records"),
    path("me/records/certificate.pdf", views.certificate_pdf, name="records_certificate_pdf"),
    path("me/records/leaders-log.pdf", views.leader_log_pdf, name="records_leader_log_pdf"),
    path("me/records/leaders-log.csv", views.leader_log_csv, name="records_leader_log_csv"),
    path("admin/records/verify/", verify.certificate_verify, name="records_verify"),
]
