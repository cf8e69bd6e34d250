"""Organisation pages that ask for a fresh login, once the password is given.

allauth holds back a POST made with a stale login, asks for the password, and then runs
the held request again itself: inside the reauthentication request, by resolving the
held path and calling its view. That replay never passes through
``OrganizationScopeMiddleware``, so without this the organisation's views would run with
no membership checked and no scope (an error page; what the admin typed was lost).

This middleware gives the replay what the original request would have had: the person's
membership of the held request's organisation, checked again now, and that
organisation's scope around the whole response. Someone who is no longer a member gets
nothing resumed: the view answers 404 (``org_admin_required``).
"""

import json

from allauth.account.internal.flows.reauthentication import STATE_SESSION_KEY
from django.http import Http404
from django.urls import Resolver404, resolve

from accounts.middleware import respond_in_scope
from accounts.models import Membership
from accounts.selectors import access_organization_membership

REAUTHENTICATION_VIEWS = {"account_reauthenticate", "mfa_reauthenticate"}
ORG_KWARG = "org_slug"


class ResumedRequestScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = _membership_for_held_request(request)
        if membership is None:
            return self.get_response(request)
        return respond_in_scope(self.get_response, request, membership)


def _org_slug(path: str) -> str | None:
    try:
        return resolve(path).kwargs.get(ORG_KWARG)
    except Resolver404:
        return None


def _membership_for_held_request(request) -> Membership | None:
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    try:
        if resolve(request.path_info).url_name not in REAUTHENTICATION_VIEWS:
            return None
    except Resolver404:
        return None
    held = (request.session.get(STATE_SESSION_KEY) or {}).get("request")
    org_slug = _org_slug(json.loads(held).get("path_info", "")) if held else None
    if org_slug is None:
        return None
    try:
        return access_organization_membership(request.user, org_slug)
    except Http404:
        return None
