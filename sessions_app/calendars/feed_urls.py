"""The secret calendar-feed URL: the token is the permission, so it lives outside /o/."""

from django.urls import path

from sessions_app.calendars import feed

urlpatterns = [
    path("calendar/<str:token>.ics", feed.calendar_feed, name="calendar_feed"),
]
