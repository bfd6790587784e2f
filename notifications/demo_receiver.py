"""A webhook receiver for the demo only (DEBUG): checks each delivery's signature and says so.

The demo's endpoint points here (portal/management/commands/load_demo.py). It checks the
Standard Webhooks signature with Trustmark's own signing code, as `standardwebhooks` is a
test dependency, not a runtime one; docs/webhooks.md shows a receiver built on it.
"""

from __future__ import annotations

import hmac
import json
import logging
import time

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications.models import WebhookEndpoint
from notifications.webhooks import active_secrets, sign

logger = logging.getLogger(__name__)
TOLERANCE_SECONDS = 5 * 60
PATH = "/demo/webhook-receiver/"


def verified(body: str, msg_id: str, timestamp: str, signatures: str) -> bool:
    """Whether one of the signatures is that of an endpoint pointed at this receiver."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - ts) > TOLERANCE_SECONDS:
        return False
    offered = signatures.split(" ")
    for endpoint in WebhookEndpoint.objects.filter(url__endswith=PATH):
        for secret in active_secrets(endpoint):
            expected = sign(secret, msg_id, ts, body)
            if any(hmac.compare_digest(expected, candidate) for candidate in offered):
                return True
    return False


@csrf_exempt  # a machine-to-machine POST, authenticated by its signature
@require_POST
def demo_receiver(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404("Only in the demo.")
    body = request.body.decode("utf-8", "replace")
    ok = verified(
        body,
        request.headers.get("webhook-id", ""),
        request.headers.get("webhook-timestamp", ""),
        request.headers.get("webhook-signature", ""),
    )
    try:
        event_type = json.loads(body).get("type", "?")
    except (ValueError, AttributeError):
        event_type = "?"
    logger.warning(
        "demo webhook receiver: %s %s, signature %s",
        event_type,
        request.headers.get("webhook-id", ""),
        "verified" if ok else "NOT verified",
    )
    if not ok:
        return JsonResponse({"verified": False}, status=400)
    return JsonResponse({"verified": True, "type": event_type})
