from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from reflect import devmail

organization_patterns = [
    path("", include("sessions_app.urls")),
    path("", include("accounts.urls")),
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("healthz", accounts_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("me/", accounts_views.profile, name="profile"),
    path("invitations/<str:token>/", accounts_views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org_slug>/", include(organization_patterns)),
    path("", include("sessions_app.urls_feed")),
    path("", include("sessions_app.urls_mydata")),
    path("admin/", admin.site.urls),
    # Development only: the view itself refuses unless DEBUG, the file backend, a loopback
    # client and a signed-in superuser.
    path("dev/mail/", devmail.dev_mail, name="dev_mail"),
]
