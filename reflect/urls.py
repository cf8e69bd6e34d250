from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from accounts import views as accounts_views
from accounts.sso import urls as sso_urls
from reflect import devmail, pwa

organization_patterns = [
    path("", include("sessions_app.urls")),
    path("", include("accounts.urls")),
    path("", include("accounts.audit.urls")),
    path("", include("accounts.governance.urls")),
    path("", include(sso_urls.organization_urlpatterns)),
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("healthz", accounts_views.healthz, name="healthz"),
    # For monitoring: the database, the broker and the dispatcher (docs/operations.md).
    path("", include("sessions_app.notifications.health_urls")),
    path("accessibility/", accounts_views.accessibility_statement, name="accessibility_statement"),
    # At the root: a service worker controls only the paths under its own address.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="web_manifest"),
    # Ahead of allauth's own URL of the same name: changing the password asks for a fresh
    # login (allauth's reauthentication), like e-mail and two-factor changes do.
    path(
        "accounts/password/change/",
        login_required(reauthentication_required(allauth_views.password_change)),
        name="account_change_password",
    ),
    # Ahead of allauth's own: logging out also empties what the service worker kept.
    path("accounts/logout/", pwa.clear_site_data(allauth_views.logout), name="account_logout"),
    path("accounts/", include("allauth.urls")),
    path("", include(sso_urls.urlpatterns)),
    path("me/", accounts_views.profile, name="profile"),
    # set_language: the language switch on pages for people not signed in.
    path("i18n/", include("django.conf.urls.i18n")),
    path("invitations/<str:token>/", accounts_views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org_slug>/", include(organization_patterns)),
    path("", include("sessions_app.calendars.feed_urls")),
    path("", include("sessions_app.mydata.urls")),
    # Reflect's admin site: allauth's login, and a fresh login for every change
    # (reflect/admin_site.py).
    path("admin/", admin.site.urls),
    # Development only: the view itself refuses unless DEBUG, the file backend, a loopback
    # client and a signed-in superuser.
    path("dev/mail/", devmail.dev_mail, name="dev_mail"),
]
