from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from reflect import devmail

# The Django admin's own login form would check a password and nothing else: no
# two-factor step and none of allauth's rate limits. Send it to allauth's login instead
# (allauth's documented "secure admin login"); a signed-in non-staff person gets 403.
admin.site.login = secure_admin_login(admin.site.login)

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
    # Development only: the view itself refuses unless DEBUG and the file backend are on.
    path("dev/mail/", devmail.dev_mail, name="dev_mail"),
]
