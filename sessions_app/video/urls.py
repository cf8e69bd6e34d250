"""The organisation's video provider and a meeting's video link; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.video import views

urlpatterns = [
    path("admin/video/", views.video_provider_settings, name="video_provider_settings"),
    path("meetings/<str:meeting_id>/video/", views.meeting_video, name="meeting_video"),
]
