"""The page's Push API calls: keep or forget this browser's subscription (JSON, POST,
CSRF-protected like every form). The answer never echoes the endpoint."""

import json

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from sessions_app.push import services

SESSION_KEY = services.SESSION_KEY


def _subscription(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = {}
    keys = data.get("keys") if isinstance(data, dict) else None
    keys = keys if isinstance(keys, dict) else {}
    return {
        "endpoint": str(data.get("endpoint", "")) if isinstance(data, dict) else "",
        "p256dh": str(keys.get("p256dh", "")),
        "auth": str(keys.get("auth", "")),
    }


@require_POST
def push_subscribe(request, org_slug):
    try:
        subscription = services.push_subscription_save(membership=request.membership, **_subscription(request))
    except ValidationError as error:
        return JsonResponse({"saved": False, "error": " ".join(error.messages)}, status=400)
    remembered = [pair for pair in request.session.get(SESSION_KEY, []) if pair[1] != subscription.public_id]
    request.session[SESSION_KEY] = [*remembered, [request.organization.pk, subscription.public_id]]
    return JsonResponse({"saved": True})


@require_POST
def push_unsubscribe(request, org_slug):
    endpoint = _subscription(request)["endpoint"]
    removed = services.push_subscription_delete(membership=request.membership, endpoint=endpoint)
    return JsonResponse({"removed": removed})
