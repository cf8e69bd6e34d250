"""Feedback and sign-off; mounted under ``/o/<org_slug>/``."""

from django.urls import path

from sessions_app.feedback import views

urlpatterns = [
    path("reflections/<str:reflection_id>/feedback/", views.feedback_shares, name="feedback_shares"),
    path("feedback/", views.feedback_inbox, name="feedback_inbox"),
    path("feedback/<str:share_id>/", views.feedback_read, name="feedback_read"),
    path("feedback/<str:share_id>/withdraw/", views.feedback_withdraw, name="feedback_withdraw"),
]
