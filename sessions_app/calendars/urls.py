"""Calendar URLs; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.calendars import views

urlpatterns = [
    path("meetings/<str:meeting_id>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
]
