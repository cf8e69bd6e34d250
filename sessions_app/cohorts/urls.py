"""Cohort pages; mounted under /o/<org_slug>/. The cohort's own page, which shows its
meetings, is in ``meetings/urls.py``."""

from django.urls import path

from sessions_app.cohorts import archiving, join_views, views

urlpatterns = [
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/new/", views.cohort_create_view, name="cohort_create"),
    path("cohorts/<str:cohort_id>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<str:cohort_id>/members/add/", views.cohort_member_add, name="cohort_member_add"),
    path(
        "cohorts/<str:cohort_id>/members/<str:cohort_member_id>/remove/",
        views.cohort_member_remove,
        name="cohort_member_remove",
    ),
    path("cohorts/<str:cohort_id>/ask-to-join/", join_views.cohort_ask_to_join, name="cohort_ask_to_join"),
    path("cohorts/<str:cohort_id>/requests/", join_views.join_requests, name="join_requests"),
    path(
        "join-requests/<str:join_request_id>/withdraw/",
        join_views.join_request_withdraw,
        name="join_request_withdraw",
    ),
    path("join-requests/<str:join_request_id>/answer/", join_views.join_request_decide, name="join_request_decide"),
    path("admin/cohorts/", archiving.cohort_archive_list, name="cohort_archive_list"),
    path("admin/cohorts/<str:cohort_id>/archive/", archiving.cohort_archive_view, name="cohort_archive"),
    path("admin/cohorts/<str:cohort_id>/restore/", archiving.cohort_restore_view, name="cohort_restore"),
]
