from django.urls import path

from accounts.sso import views

# Mounted at the site root: start a single sign-on.
urlpatterns = [
    path("sso/", views.sso_start, name="sso_start"),
    path("sso/<slug:organization_slug>/", views.sso_organization_login, name="sso_organization_login"),
]

# Mounted under /o/<org_slug>/ (the organisation's settings).
organization_urlpatterns = [
    path("settings/sso/", views.organization_sso, name="organization_sso"),
]
