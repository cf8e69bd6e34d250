"""Member-facing and cohort pages; mounted under ``/o/<org_slug>/``."""

from django.urls import include, path

from sessions_app.views import cohorts, debrief, home, meetings, reflections

urlpatterns = [
    path("", home.organization_home, name="organization_home"),
    path("cohorts/", cohorts.cohort_list, name="cohort_list"),
    path("cohorts/new/", cohorts.cohort_create, name="cohort_create"),
    path("cohorts/<str:cohort_id>/", cohorts.cohort_detail, name="cohort_detail"),
    path("cohorts/<str:cohort_id>/edit/", cohorts.cohort_edit, name="cohort_edit"),
    path("cohorts/<str:cohort_id>/ground-rules/", cohorts.ground_rules, name="ground_rules"),
    path("cohorts/<str:cohort_id>/members/add/", cohorts.cohort_member_add, name="cohort_member_add"),
    path(
        "cohorts/<str:cohort_id>/members/<str:cohort_member_id>/remove/",
        cohorts.cohort_member_remove,
        name="cohort_member_remove",
    ),
    path("cohorts/<str:cohort_id>/series/new/", meetings.series_create, name="series_create"),
    path("cohorts/<str:cohort_id>/hot-debrief/", meetings.hot_debrief_create, name="hot_debrief_create"),
    path("meetings/<str:meeting_id>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<str:meeting_id>/rsvp/", meetings.meeting_rsvp, name="meeting_rsvp"),
    path("meetings/<str:meeting_id>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<str:meeting_id>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<str:meeting_id>/panel/", meetings.meeting_panel_notes, name="meeting_panel_notes"),
    path("meetings/<str:meeting_id>/actions/", debrief.meeting_actions, name="meeting_actions"),
    path(
        "meetings/<str:meeting_id>/actions/<str:action_id>/toggle/",
        debrief.action_point_toggle,
        name="action_point_toggle",
    ),
    path("meetings/<str:meeting_id>/not-recorded/", debrief.meeting_not_recorded, name="meeting_not_recorded"),
    path("reflections/", reflections.reflection_list, name="reflection_list"),
    path("reflections/new/", reflections.reflection_new, name="reflection_new"),
    path("reflections/<str:reflection_id>/", reflections.reflection_detail, name="reflection_detail"),
    path("reflections/<str:reflection_id>/edit/", reflections.reflection_edit, name="reflection_edit"),
    path("reflections/<str:reflection_id>/delete/", reflections.reflection_delete, name="reflection_delete"),
    path("reflections/<str:reflection_id>/share/", reflections.reflection_share, name="reflection_share"),
    path("reflections/<str:reflection_id>/pin/", reflections.reflection_pin, name="reflection_pin"),
    path("cohorts/<str:cohort_id>/shared/", reflections.cohort_shared_reflections, name="cohort_shared_reflections"),
    path("admin/templates/", reflections.reflection_templates, name="reflection_templates"),
    path(
        "admin/templates/<str:template_id>/delete/",
        reflections.reflection_template_delete,
        name="reflection_template_delete",
    ),
    path("meeting-load/skip/", meetings.meeting_load_skip, name="meeting_load_skip"),
    path("", include("sessions_app.attention.urls")),
    path("", include("sessions_app.notifications.urls")),
    path("", include("sessions_app.imports.urls")),
    path("", include("sessions_app.insights.urls")),
    path("", include("sessions_app.calendars.urls")),
]
