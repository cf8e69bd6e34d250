"""The ledger, and the pages signed links in e-mails open; mounted under /o/<org_slug>/."""

from django.urls import path

from sessions_app.notifications import link_views, views

urlpatterns = [
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/e-mails/", views.email_resubscribe, name="email_resubscribe"),
    # Signed links: no sign-in needed (accounts.decorators.signed_link), the token is the permission.
    path("answer/<str:answer_token>/", link_views.onetap_answer, name="onetap_answer"),
    path("unsubscribe/<str:unsubscribe_token>/", link_views.onetap_unsubscribe, name="onetap_unsubscribe"),
]
