"""Member-facing and cohort pages; mounted under ``/o/<org_slug>/``."""

from django.urls import include, path

from sessions_app.views import cohort_archive, cohorts, home, meetings

urlpatterns = [
    path("", home.organization_home, name="organization_home"),
    path("cohorts/", cohorts.cohort_list, name="cohort_list"),
    path("cohorts/new/", cohorts.cohort_create, name="cohort_create"),
    path("admin/cohorts/", cohort_archive.cohort_archive_list, name="cohort_archive_list"),
    path("admin/cohorts/<str:cohort_id>/archive/", cohort_archive.cohort_archive, name="cohort_archive"),
    path("admin/cohorts/<str:cohort_id>/restore/", cohort_archive.cohort_restore, name="cohort_restore"),
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
    path("meeting-load/skip/", meetings.meeting_load_skip, name="meeting_load_skip"),
    path("", include("sessions_app.attention.urls")),
    path("", include("sessions_app.notifications.urls")),
    path("", include("sessions_app.imports.urls")),
    path("", include("sessions_app.reflections.urls")),
    path("", include("sessions_app.insights.urls")),
    path("", include("sessions_app.calendars.urls")),
]
