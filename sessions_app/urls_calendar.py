"""Calendar URLs; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.views import calendar

urlpatterns = [
    path("meetings/<str:meeting_id>/calendar.ics", calendar.meeting_ics, name="meeting_ics"),
    path("calendar/", calendar.calendar_settings, name="calendar_settings"),
]
