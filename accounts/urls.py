"""Organisation-admin pages; mounted under ``/o/<org_slug>/``."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("admin/members/<str:member_id>/role/", views.member_change_role, name="member_change_role"),
    path("admin/members/<str:member_id>/remove/", views.member_remove, name="member_remove"),
    path("admin/invitations/", views.invitations, name="invitations"),
    path("admin/invitations/list/", views.invitations_bulk, name="invitations_bulk"),
    path("admin/security/", views.organization_security, name="organization_security"),
    path("admin/invitations/settings/", views.invitation_settings, name="invitation_settings"),
    path("admin/invitations/<str:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
