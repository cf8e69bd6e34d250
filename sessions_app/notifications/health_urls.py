"""The readiness check, at the site's root (not under an organisation)."""

from django.urls import path

from sessions_app.notifications import health

urlpatterns = [
    path("healthz/ready", health.ready, name="health_ready"),
]
