"""The TRiM pathway's pages; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.trim import views

urlpatterns = [
    path("cohorts/<str:cohort_id>/hot-debrief/", views.hot_debrief_create_view, name="hot_debrief_create"),
    path("trim/", views.trim_home, name="trim_home"),
    path("trim/offers/<str:offer_id>/answer/", views.trim_offer_answer, name="trim_offer_answer"),
    path("trim/caseload/", views.trim_caseload, name="trim_caseload"),
    path("trim/offers/<str:offer_id>/assessment/", views.trim_assessment, name="trim_assessment"),
    path("trim/practitioners/", views.trim_practitioners, name="trim_practitioners"),
]
