"""Member-facing and cohort pages, mounted under ``/o/<org_slug>/``: one include per
package, each package's urls.py names its own pages. Order matters only where two
patterns could match one path: ``cohorts/new/`` comes before ``cohorts/<cohort_id>/``."""

from django.urls import include, path

urlpatterns = [
    path("", include("sessions_app.home.urls")),
    path("", include("sessions_app.cohorts.urls")),
    path("", include("sessions_app.meetings.urls")),
    path("", include("sessions_app.trim.urls")),
    path("", include("sessions_app.attendance.urls")),
    path("", include("sessions_app.attention.urls")),
    path("", include("sessions_app.notifications.urls")),
    path("", include("sessions_app.imports.urls")),
    path("", include("sessions_app.reflections.urls")),
    path("", include("sessions_app.feedback.urls")),
    path("", include("sessions_app.insights.urls")),
    path("", include("sessions_app.calendars.urls")),
    path("", include("sessions_app.members.urls")),
    path("", include("sessions_app.push.urls")),
    path("", include("sessions_app.video.urls")),
    path("", include("sessions_app.portfolio.urls")),
    path("", include("sessions_app.records.urls")),
    path("", include("sessions_app.supervision.urls")),
]
