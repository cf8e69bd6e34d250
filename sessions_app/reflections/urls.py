"""Reflections, shared reflections, reflection templates and a meeting's action points;
mounted under ``/o/<org_slug>/``."""

from django.urls import path

from sessions_app.reflections import debrief, views

urlpatterns = [
    path("meetings/<str:meeting_id>/actions/", debrief.meeting_actions, name="meeting_actions"),
    path(
        "meetings/<str:meeting_id>/actions/<str:action_id>/toggle/",
        debrief.action_point_toggle,
        name="action_point_toggle",
    ),
    path("meetings/<str:meeting_id>/not-recorded/", debrief.meeting_not_recorded, name="meeting_not_recorded"),
    path("reflections/", views.reflection_list, name="reflection_list"),
    path("reflections/new/", views.reflection_new, name="reflection_new"),
    path("reflections/draft/", views.reflection_draft_save, name="reflection_draft_save"),
    path("reflections/<str:reflection_id>/", views.reflection_detail, name="reflection_detail"),
    path("reflections/<str:reflection_id>/edit/", views.reflection_edit, name="reflection_edit"),
    path("reflections/<str:reflection_id>/delete/", views.reflection_delete, name="reflection_delete"),
    path("reflections/<str:reflection_id>/share/", views.reflection_share, name="reflection_share"),
    path("reflections/<str:reflection_id>/pin/", views.reflection_pin, name="reflection_pin"),
    path("cohorts/<str:cohort_id>/shared/", views.cohort_shared_reflections, name="cohort_shared_reflections"),
    path("admin/templates/", views.reflection_templates, name="reflection_templates"),
    path(
        "admin/templates/<str:template_id>/delete/",
        views.reflection_template_delete,
        name="reflection_template_delete",
    ),
]
