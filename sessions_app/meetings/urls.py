"""Series, meetings and RSVPs, and the cohort pages that show them; mounted under
/o/<org_slug>/."""

from django.urls import path

from sessions_app.meetings import panel_views, views, whats_on_views

urlpatterns = [
    path("whats-on/", whats_on_views.whats_on_page, name="whats_on"),
    path("cohorts/<str:cohort_id>/follow/", whats_on_views.cohort_follow, name="cohort_follow"),
    path("cohorts/<str:cohort_id>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<str:cohort_id>/ground-rules/", views.ground_rules, name="ground_rules"),
    path("cohorts/<str:cohort_id>/series/new/", views.series_create_view, name="series_create"),
    path("meetings/<str:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<str:meeting_id>/rsvp/", views.meeting_rsvp, name="meeting_rsvp"),
    path("meetings/<str:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<str:meeting_id>/cancel/", views.meeting_cancel_view, name="meeting_cancel"),
    path("meetings/<str:meeting_id>/panel/", views.meeting_panel_notes, name="meeting_panel_notes"),
    path("meetings/<str:meeting_id>/topic/", panel_views.meeting_topic, name="meeting_topic"),
    path("meetings/<str:meeting_id>/panellists/add/", panel_views.panellist_add, name="panellist_add"),
    path(
        "meetings/<str:meeting_id>/panellists/<str:panellist_id>/remove/",
        panel_views.panellist_remove,
        name="panellist_remove",
    ),
    path("meetings/<str:meeting_id>/briefing/", panel_views.panel_briefing, name="panel_briefing"),
    path("meetings/<str:meeting_id>/briefing/prepared/", panel_views.panel_prepared, name="panel_prepared"),
]
