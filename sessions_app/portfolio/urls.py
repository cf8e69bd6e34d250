"""A person's portfolio downloads; mounted under ``/o/<org_slug>/``."""

from django.urls import path

from sessions_app.portfolio import views

urlpatterns = [
    path("reflections/<str:reflection_id>/export.pdf", views.reflection_export_pdf, name="reflection_export_pdf"),
    path("reflections/<str:reflection_id>/export.docx", views.reflection_export_docx, name="reflection_export_docx"),
    path("revalidation/nmc/", views.nmc_pack, name="nmc_pack"),
]
