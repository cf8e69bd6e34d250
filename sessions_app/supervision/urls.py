"""The supervision log's pages; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.supervision import views

urlpatterns = [
    path("me/supervision/", views.supervision_log, name="supervision_log"),
    path("me/supervision/new/", views.supervision_entry_new, name="supervision_entry_new"),
    path("me/supervision/export.csv", views.supervision_export_csv, name="supervision_export_csv"),
    path("me/supervision/export.pdf", views.supervision_export_pdf, name="supervision_export_pdf"),
    path("me/supervision/<str:entry_id>/edit/", views.supervision_entry_edit, name="supervision_entry_edit"),
    path("me/supervision/<str:entry_id>/delete/", views.supervision_entry_delete, name="supervision_entry_delete"),
    path("supervision/confirm/", views.supervision_confirmations, name="supervision_confirmations"),
    path("supervision/confirm/<str:entry_id>/", views.supervision_entry_confirm, name="supervision_entry_confirm"),
]
