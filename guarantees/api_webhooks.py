"""The shop API for webhook endpoints: the same management as the portal, with a shop key.

A shop's key manages the endpoints limited to its own shop (an endpoint for the whole
member, or for several shops, is managed in the portal). Another shop's or member's
endpoint is a 404, whether it exists or not; refused input is a 422 naming the field.
The signing secret is in the answer to a create and to a rotation, never in a read.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from certification import integrations as services
from core.errors import DomainError
from guarantees.api import Error, ShopKey
from guarantees.idempotency import run_once
from guarantees.models import ApiKey
from notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from notifications.webhooks import EVENT_TYPES

router = Router(tags=["webhook endpoints"], auth=ShopKey())

NOT_FOUND = {
    "detail": "No endpoint of this shop has this id.",
    "field": "endpoint_id",
    "code": "not_found",
}


class EndpointIn(Schema):
    url: str = Field(description="HTTPS; no user name or password; a public address.")
    event_types: list[str] = Field(description="Event types to receive (see `webhooks`).")
    description: str = ""
    enabled: bool = True


class EndpointPatch(Schema):
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None


class EndpointOut(Schema):
    id: int
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    shop_public_id: str
    created_at: datetime.datetime
    disabled_at: datetime.datetime | None
    failing_since: datetime.datetime | None


class EndpointWithSecretOut(EndpointOut):
    secret: str = Field(description="`whsec_…`: shown in this answer only; keep it safe.")
    previous_secret_valid_until: datetime.datetime | None = Field(
        None, description="After a rotation: the old secret also signs until then."
    )


class AttemptOut(Schema):
    id: int
    delivery_id: int
    event_id: str = Field(description="The `webhook-id` the receiver saw.")
    event_type: str
    at: datetime.datetime
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str
    delivered: bool


class AttemptFilters(Schema):
    event_type: str | None = Field(None, description="Only attempts at this event type.")
    outcome: Literal["delivered", "failed"] | None = Field(
        None, description="Only 2xx answers (`delivered`) or the others (`failed`)."
    )
    limit: int = Field(50, ge=1, le=200)


class DeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    state: str
    attempts: int


def _actor(request: HttpRequest) -> services.ShopKeyActor:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    return services.ShopKeyActor(shop=api_key.shop, key_prefix=api_key.prefix)


def _endpoint(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    return services.get_endpoint_for(_actor(request), endpoint_id)


def as_json(endpoint: WebhookEndpoint, shop_public_id: str) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "shop_public_id": shop_public_id,
        "created_at": endpoint.created_at.isoformat(),
        "disabled_at": endpoint.disabled_at.isoformat() if endpoint.disabled_at else None,
        "failing_since": endpoint.failing_since.isoformat() if endpoint.failing_since else None,
    }


def _with_secret(endpoint: WebhookEndpoint, shop_public_id: str) -> dict[str, Any]:
    until = None
    if endpoint.previous_secret and endpoint.rotated_at:
        until = (endpoint.rotated_at + services.webhooks.ROTATION_OVERLAP).isoformat()
    return {
        **as_json(endpoint, shop_public_id),
        "secret": endpoint.secret,
        "previous_secret_valid_until": until,
    }


def _refused(exc: DomainError) -> Status:
    return Status(exc.status_code, exc.as_dict())


@router.get(
    "/webhook-endpoints",
    response={200: list[EndpointOut], 401: Error, 429: Error},
    summary="The shop's webhook endpoints",
)
def list_endpoints(request: HttpRequest) -> Any:
    actor = _actor(request)
    rows = services.endpoints_of_shop_key(actor).order_by("pk")
    return [as_json(endpoint, actor.shop.public_id) for endpoint in rows]


@router.post(
    "/webhook-endpoints",
    response={
        201: EndpointWithSecretOut,
        400: Error,
        401: Error,
        409: Error,
        422: Error,
        429: Error,
    },
    summary="Add a webhook endpoint for the shop",
    description=(
        "The answer holds the signing secret, shown this once. Refused with a 422 naming the "
        "field: a URL that is not HTTPS, has a user name or password in it, or resolves to a "
        "non-public address; an unknown event type. Send an `Idempotency-Key` header: the same "
        "key and body return the first answer again (with the same secret); without it, a 400."
    ),
)
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Status:
    actor = _actor(request)

    def work() -> tuple[int, dict[str, Any]]:
        endpoint = services.add_endpoint(
            actor=actor,
            member=actor.shop.member,
            url=payload.url,
            event_types=payload.event_types,
            description=payload.description,
            shops=[actor.shop],
            enabled=payload.enabled,
        )
        return 201, _with_secret(endpoint, actor.shop.public_id)

    status, body = run_once(
        api_key=request.auth,  # type: ignore[attr-defined]
        key=request.headers.get("Idempotency-Key", ""),
        body=request.body,
        work=work,
    )
    return Status(status, body)


@router.get(
    "/webhook-endpoints/{endpoint_id}",
    response={200: EndpointOut, 401: Error, 404: Error, 429: Error},
    summary="One of the shop's webhook endpoints",
)
def read_endpoint(request: HttpRequest, endpoint_id: int) -> Status:
    try:
        endpoint = _endpoint(request, endpoint_id)
    except Http404:
        return Status(404, NOT_FOUND)
    return Status(200, as_json(endpoint, _actor(request).shop.public_id))


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    response={200: EndpointOut, 401: Error, 404: Error, 422: Error, 429: Error},
    summary="Change a webhook endpoint (the fields sent)",
    description="Enabling a disabled endpoint starts afresh (no failures counted).",
)
def update_endpoint(request: HttpRequest, endpoint_id: int, payload: EndpointPatch) -> Status:
    actor = _actor(request)
    try:
        endpoint = _endpoint(request, endpoint_id)
    except Http404:
        return Status(404, NOT_FOUND)
    changes = payload.dict(exclude_unset=True)
    for field in ("url", "event_types", "description", "enabled"):
        if field in changes and changes[field] is None:
            return Status(422, {"detail": "May not be null.", "field": field, "code": "invalid"})
    try:
        endpoint = services.update_endpoint(
            actor=actor,
            endpoint=endpoint,
            url=changes.get("url", endpoint.url),
            event_types=changes.get("event_types", endpoint.event_types),
            description=changes.get("description", endpoint.description),
            shops=[actor.shop],
            enabled=changes.get("enabled", endpoint.enabled),
        )
    except DomainError as exc:
        return _refused(exc)
    return Status(200, as_json(endpoint, actor.shop.public_id))


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    response={204: None, 401: Error, 404: Error, 429: Error},
    summary="Delete a webhook endpoint (and its log)",
)
def delete_endpoint(request: HttpRequest, endpoint_id: int) -> Status:
    try:
        endpoint = _endpoint(request, endpoint_id)
    except Http404:
        return Status(404, NOT_FOUND)
    services.delete_endpoint(actor=_actor(request), endpoint=endpoint)
    return Status(204, None)


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response={200: EndpointWithSecretOut, 401: Error, 404: Error, 429: Error},
    summary="A new signing secret (the old one also signs for 24 hours)",
)
def rotate_secret(request: HttpRequest, endpoint_id: int) -> Status:
    try:
        endpoint = _endpoint(request, endpoint_id)
    except Http404:
        return Status(404, NOT_FOUND)
    endpoint = services.rotate_endpoint_secret(actor=_actor(request), endpoint=endpoint)
    return Status(200, _with_secret(endpoint, _actor(request).shop.public_id))


@router.post(
    "/webhook-endpoints/{endpoint_id}/ping",
    response={202: DeliveryOut, 401: Error, 404: Error, 429: Error},
    summary="Send a test event (`ping`) to the endpoint",
)
def ping(request: HttpRequest, endpoint_id: int) -> Status:
    try:
        endpoint = _endpoint(request, endpoint_id)
    except Http404:
        return Status(404, NOT_FOUND)
    delivery = services.send_ping(actor=_actor(request), endpoint=endpoint)
    return Status(202, _delivery(delivery))


def _delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "event_id": delivery.event.event_id,
        "event_type": delivery.event.type,
        "state": delivery.state,
        "attempts": delivery.attempts,
    }


@router.get(
    "/webhook-endpoints/{endpoint_id}/attempts",
    response={200: list[AttemptOut], 401: Error, 404: Error, 422: Error, 429: Error},
    summary="The endpoint's delivery log, newest attempt first",
    description="Attempts are kept 30 days. Filter by `event_type` and `outcome`.",
)
def list_attempts(request: HttpRequest, endpoint_id: int, filters: Query[AttemptFilters]) -> Status:
    try:
        endpoint = _endpoint(request, endpoint_id)
    except Http404:
        return Status(404, NOT_FOUND)
    if filters.event_type is not None and filters.event_type not in EVENT_TYPES:
        return Status(
            422, {"detail": "Unknown event type.", "field": "event_type", "code": "invalid"}
        )
    rows = WebhookAttempt.objects.filter(delivery__endpoint=endpoint).select_related(
        "delivery__event"
    )
    if filters.event_type:
        rows = rows.filter(delivery__event__type=filters.event_type)
    if filters.outcome == "delivered":
        rows = rows.filter(status_code__gte=200, status_code__lt=300)
    elif filters.outcome == "failed":
        rows = rows.exclude(status_code__gte=200, status_code__lt=300)
    return Status(
        200,
        [
            {
                "id": attempt.pk,
                "delivery_id": attempt.delivery_id,
                "event_id": attempt.delivery.event.event_id,
                "event_type": attempt.delivery.event.type,
                "at": attempt.at.isoformat(),
                "status_code": attempt.status_code,
                "duration_ms": attempt.duration_ms,
                "response_excerpt": attempt.response_excerpt,
                "error": attempt.error,
                "delivered": attempt.status_code is not None and 200 <= attempt.status_code < 300,
            }
            for attempt in rows.order_by("-at", "-pk")[: filters.limit]
        ],
    )


@router.post(
    "/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut, 401: Error, 404: Error, 409: Error, 429: Error},
    summary="Send one event again (same `webhook-id`)",
    description="A disabled endpoint is a 409: enable it first.",
)
def redeliver(request: HttpRequest, endpoint_id: int, delivery_id: int) -> Status:
    try:
        endpoint = _endpoint(request, endpoint_id)
        delivery = services.get_delivery_for(_actor(request), endpoint, delivery_id)
    except Http404:
        return Status(
            404,
            {
                "detail": "No delivery of this endpoint has this id.",
                "field": "delivery_id",
                "code": "not_found",
            },
        )
    try:
        delivery = services.redeliver(actor=_actor(request), delivery=delivery)
    except DomainError as exc:
        return Status(409, {**exc.as_dict(), "code": "conflict"})
    return Status(202, _delivery(delivery))
