"""Webhooks: endpoints, events written in the caller's transaction, signed delivery.

Signatures follow the Standard Webhooks spec (https://www.standardwebhooks.com/):
`webhook-id`, `webhook-timestamp` and `webhook-signature`, the last holding one
`v1,<base64 HMAC-SHA256>` per active secret (the new one and, for 24 hours after a
rotation, the previous one), so receivers can switch secrets without losing events.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter

from core.cache import cached, forget
from core.errors import DomainError
from notifications.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

EVENT_TYPES = (
    "mark.issued",
    "mark.suspended",
    "mark.reinstated",
    "mark.revoked",
    "mark.expired",
    "audit.findings_sent",
    "audit.approved",
    "audit.refused",
    "guarantee.registered",
    "claim.filed",
    "claim.shop_reminded",
    "claim.escalated",
    "claim.decided",
    "claim.paid",
    "claim.closed",
    "review.published",
    "review.reported",
    "review.removed",
    "ping",
)
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format prefix, not a secret
ROTATION_OVERLAP = timedelta(hours=24)
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 4096
EXCERPT_BYTES = 1024
LISTENING_TTL = 3600
# An endpoint whose every delivery failed for this long is disabled, its people told.
DISABLE_AFTER = timedelta(days=5)
# Sent when an endpoint was disabled for failing (in the delivery task): certification tells the
# member's people who manage it (certification/apps.py connects the receiver).
endpoint_disabled_for_failing = Signal()


# --- Endpoints -------------------------------------------------------------------------


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url or len(url) > 2000:
        raise DomainError(_("Enter the receiver's URL (at most 2000 characters)."), field="url")
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.WEBHOOKS_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed:
        raise DomainError(_("The receiver's URL must start with https://."), field="url")
    if parts.username or parts.password:
        raise DomainError(_("The URL must not contain a user name or password."), field="url")
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        host = None
    if not host:
        raise DomainError(_("The URL has no valid host name."), field="url")
    return url


def _check_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(event_types or ()))
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        raise DomainError(
            _("Unknown event type: %(types)s.") % {"types": ", ".join(unknown)},
            field="event_types",
        )
    if not chosen:
        raise DomainError(_("Choose at least one event type."), field="event_types")
    return chosen


def create_endpoint(
    *,
    member: Any,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    shops: Iterable[Any] = (),
) -> WebhookEndpoint:
    """A new enabled endpoint with a fresh secret; refused input names the field."""
    url = _check_url(url)
    types = _check_event_types(event_types)
    if len(description or "") > 200:
        raise DomainError(_("The description is too long (200 characters)."), field="description")
    shops = list(shops)
    if any(shop.member_id != member.pk for shop in shops):
        raise DomainError(_("Choose shops of this member only."), field="shops")
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            member=member,
            url=url,
            event_types=types,
            description=description or "",
            secret=new_secret(),
        )
        if shops:
            endpoint.shops.set(shops)
        forget_listening(member.pk)
    return endpoint


def rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the previous one still signs for 24 hours."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.secret = new_secret()
        endpoint.rotated_at = timezone.now()
        endpoint.save(update_fields=["previous_secret", "secret", "rotated_at"])
    return endpoint


# --- Events ----------------------------------------------------------------------------


def _member_key(member_id: int) -> str:
    return f"webhooks:member:{member_id}:listening"


def member_is_listening(member_id: int) -> bool:
    """Whether the member has an enabled endpoint: a cached fact (core/cache.py), so that
    emit costs no SQL statement for the many members without one. Every change to an
    endpoint forgets it after commit (`forget_listening`); other processes see the
    change within PUBLIC_LOCAL_CACHE_SECONDS."""
    answer = cached(
        _member_key(member_id),
        lambda: (
            "yes"
            if WebhookEndpoint.objects.filter(member_id=member_id, enabled=True).exists()
            else "no"
        ),
        lambda _answer: LISTENING_TTL,
    )
    return answer == "yes"


def forget_listening(member_id: int) -> None:
    """Call inside the transaction that changes an endpoint: forgets once it commits."""
    key = _member_key(member_id)
    forget(key)
    transaction.on_commit(lambda: forget(key))


def emit(
    event_type: str,
    member: Any,
    payload: dict[str, Any] | Callable[[], dict[str, Any]],
    shop: Any | None = None,
) -> WebhookEvent | None:
    """Write the event and one pending delivery per subscribed endpoint, in the caller's
    transaction; each delivery is sent by a task once that transaction commits.

    `member` and `shop` are objects or primary keys; `payload` may be a function, called
    only when someone listens. A member without an enabled endpoint costs no statement
    and stores nothing (None is returned).
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    member_id = getattr(member, "pk", member)
    shop_id = getattr(shop, "pk", shop)
    if not member_is_listening(member_id):
        return None
    event = WebhookEvent.objects.create(
        event_id=f"msg_{uuid.uuid4().hex}",
        type=event_type,
        payload=_as_json(payload() if callable(payload) else payload),
        member_id=member_id,
        shop_id=shop_id,
    )
    endpoints = WebhookEndpoint.objects.filter(
        member_id=member_id, enabled=True, event_types__contains=[event_type]
    )
    if shop_id is not None:
        endpoints = endpoints.filter(Q(shops__isnull=True) | Q(shops=shop_id))
    deliveries = [
        WebhookDelivery.objects.create(event=event, endpoint=endpoint)
        for endpoint in endpoints.distinct().order_by("pk")
    ]
    for delivery in deliveries:
        enqueue(delivery)
    return event


def _as_json(payload: dict[str, Any]) -> dict[str, Any]:
    """Dates, decimals and UUIDs as the API writes them (ISO 8601, strings)."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def enqueue(delivery: WebhookDelivery) -> None:
    """Send the delivery once the surrounding transaction commits."""
    from notifications.tasks import deliver_webhook

    transaction.on_commit(lambda pk=delivery.pk: deliver_webhook.delay(pk))


def event_body(event: WebhookEvent) -> str:
    """The JSON body every endpoint receives for this event (same bytes on every retry)."""
    return json.dumps(
        {"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.payload},
        separators=(",", ":"),
        sort_keys=True,
        default=str,
    )


def note_outcome(endpoint: WebhookEndpoint, ok: bool, now: datetime) -> None:
    """After an attempt: a success ends a failing spell; a failure starts one, or, five days
    into it, disables the endpoint and has its people told (once:
    compare-and-set)."""
    from core.history import acting

    if ok:
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        return
    if now - endpoint.failing_since < DISABLE_AFTER:
        return
    with acting(None, "webhook_endpoint_disabled_failing"):
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
            enabled=False, disabled_at=now
        )
    if not changed:
        return
    forget_listening(endpoint.member_id)
    endpoint_disabled_for_failing.send(sender=WebhookEndpoint, endpoint_id=endpoint.pk, now=now)


# --- Signing ---------------------------------------------------------------------------


def active_secrets(endpoint: WebhookEndpoint, now: datetime | None = None) -> list[str]:
    now = now or timezone.now()
    keys = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.rotated_at is not None
        and now - endpoint.rotated_at < ROTATION_OVERLAP
    ):
        keys.append(endpoint.previous_secret)
    return keys


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    endpoint: WebhookEndpoint, msg_id: str, body: str, now: datetime | None = None
) -> dict[str, str]:
    now = now or timezone.now()
    timestamp = int(now.timestamp())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(secret, msg_id, timestamp, body) for secret in active_secrets(endpoint, now)
        ),
    }


# --- Sending (with the address check) ---------------------------------------------------


class RefusedAddress(Exception):
    """The receiver's host resolves to an address Trustmark does not call."""


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return not settings.WEBHOOKS_ALLOW_LOOPBACK
    return (
        ip.is_private
        or ip.is_link_local  # includes 169.254.169.254, the cloud metadata service
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_destination(url: str) -> list[str]:
    """Resolve the URL's host now and refuse it when any address is not public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise RefusedAddress(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise RefusedAddress(f"{host} has no address")
    for address in addresses:
        if _refused(ipaddress.ip_address(address)):
            raise RefusedAddress(f"{host} resolves to {address}, which is not a public address")
    return addresses


class _PinnedAdapter(HTTPAdapter):
    """Connects to the URL's IP address; TLS still names and verifies the host name."""

    def __init__(self, hostname: str) -> None:
        self._hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        # urllib3 drops these TLS-only keywords for plain HTTP pools.
        kwargs["server_hostname"] = self._hostname
        kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(*args, **kwargs)


@dataclass
class PostResult:
    status_code: int | None
    duration_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: str, headers: dict[str, str]) -> PostResult:
    """One POST: checked address, short timeouts, no redirects, at most 4 KB read back.

    Pinned: the connection goes to the address that was checked (the first one the
    resolver gave), not to a second lookup, so a DNS-rebinding receiver (a TTL-0 record
    switching to a private address) cannot slip past the check. The name stays in the
    Host header, and for HTTPS in SNI and the certificate check.
    """
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        addresses = check_destination(url)
    except RefusedAddress as exc:
        return PostResult(None, elapsed(), error=str(exc)[:500])
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    ip = addresses[0]
    pinned_host = f"[{ip}]" if ":" in ip else ip
    if parts.port:
        pinned_host += f":{parts.port}"
    pinned_url = urlunsplit(parts._replace(netloc=pinned_host))
    host_header = parts.netloc.rpartition("@")[2]
    session = requests.Session()
    session.trust_env = False  # no proxies from the environment: the check must hold
    session.mount("https://", _PinnedAdapter(hostname))
    session.mount("http://", _PinnedAdapter(hostname))
    try:
        with session.post(
            pinned_url,
            data=body.encode(),
            headers={
                "host": host_header,
                "content-type": "application/json",
                "user-agent": "Trustmark-Webhooks/1",
                **headers,
            },
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            allow_redirects=False,
            stream=True,
        ) as response:
            raw = response.raw.read(MAX_RESPONSE_BYTES, decode_content=True) or b""
            excerpt = raw[:EXCERPT_BYTES].decode("utf-8", "replace")[:EXCERPT_BYTES]
            return PostResult(response.status_code, elapsed(), excerpt=excerpt)
    except requests.RequestException as exc:
        return PostResult(None, elapsed(), error=f"{exc.__class__.__name__}: {exc}"[:500])
    finally:
        session.close()
