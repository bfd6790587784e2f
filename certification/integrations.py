"""Webhook endpoints as people (and shop API keys) manage them: who may, and the services
that change them. notifications/ keeps the delivery mechanics; members, shops and rights
are certification's, so the rights-checked services live here.

An endpoint for the whole member needs the integrations right on the member; an
endpoint limited to shops needs it on each of those shops. Every change names its
actor and is written to the endpoint's history (pghistory, without the secrets).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.access import GrantPolicy, members_with_area, shops_with_right
from certification.models import Area, Member, Shop
from core.errors import DomainError, NotPermitted
from core.history import acting
from notifications import webhooks
from notifications.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


@dataclass(frozen=True)
class ShopKeyActor:
    """A shop's API key acting: it manages the endpoints limited to its own shop only."""

    shop: Shop
    key_prefix: str


# --- Who may -----------------------------------------------------------------------------


def endpoints_visible_to(user: Any) -> QuerySet[WebhookEndpoint]:
    """Endpoints the person may see and manage: the member's (with the right on the member)
    and those limited to shops on each of which the person holds the right."""
    members = members_with_area(user, Area.INTEGRATIONS).values("pk")
    allowed = shops_with_right(user, Area.INTEGRATIONS).values("pk")
    through = WebhookEndpoint.shops.through.objects
    on_some = through.filter(shop_id__in=allowed).values("webhookendpoint_id")
    elsewhere = through.exclude(shop_id__in=allowed).values("webhookendpoint_id")
    return WebhookEndpoint.objects.filter(
        Q(member_id__in=members) | (Q(pk__in=on_some) & ~Q(pk__in=elsewhere))
    )


def endpoints_of_shop_key(actor: ShopKeyActor) -> QuerySet[WebhookEndpoint]:
    """The endpoints limited to the key's shop and to no other shop."""
    through = WebhookEndpoint.shops.through.objects
    elsewhere = through.exclude(shop_id=actor.shop.pk).values("webhookendpoint_id")
    return WebhookEndpoint.objects.filter(
        member_id=actor.shop.member_id, shops=actor.shop.pk
    ).exclude(pk__in=elsewhere)


def get_endpoint_for(user: Any, pk: int) -> WebhookEndpoint:
    """The endpoint if the person may manage it; otherwise a 404, whether it exists or not."""
    visible = (
        endpoints_of_shop_key(user)
        if isinstance(user, ShopKeyActor)
        else endpoints_visible_to(user)
    )
    endpoint = visible.select_related("member").filter(pk=pk).first()
    if endpoint is None:
        raise Http404("No such endpoint.")
    return endpoint


def get_delivery_for(user: Any, endpoint: WebhookEndpoint, pk: int) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.select_related("event", "endpoint")
        .filter(pk=pk, endpoint=endpoint)
        .first()
    )
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery


def members_managed_by(user: Any) -> QuerySet[Member]:
    """Members for which the person may add an endpoint (for the whole member or shops)."""
    shops = shops_with_right(user, Area.INTEGRATIONS).values("member_id")
    return Member.objects.filter(
        Q(pk__in=members_with_area(user, Area.INTEGRATIONS).values("pk")) | Q(pk__in=shops)
    )


def may_manage(actor: Any, member: Member, shops: Iterable[Shop]) -> bool:
    shop_ids = [shop.pk for shop in shops]
    if isinstance(actor, ShopKeyActor):
        return member.pk == actor.shop.member_id and shop_ids == [actor.shop.pk]
    policy = GrantPolicy.of(actor, member)
    if not shop_ids:
        return policy.holds_on(Area.INTEGRATIONS, None)
    return all(policy.holds_on(Area.INTEGRATIONS, shop_id) for shop_id in shop_ids)


def _require(actor: Any, member: Member, shops: Iterable[Shop]) -> None:
    if not may_manage(actor, member, shops):
        raise NotPermitted(
            _("You need the integrations right on the member or on each chosen shop.")
        )


@contextmanager
def _acting(actor: Any, action: str) -> Iterator[None]:
    """The history names the person, or the API key (by its prefix) that made the change."""
    if isinstance(actor, ShopKeyActor):
        with acting(None, action, api_key=actor.key_prefix, shop=actor.shop.pk):
            yield
    else:
        with acting(actor, action):
            yield


def _check_reachable(url: str) -> None:
    """Refuse, now, a host that resolves to a refused address (delivery checks again)."""
    try:
        webhooks.check_destination(url)
    except webhooks.RefusedAddress as exc:
        if "cannot resolve" in str(exc) or "has no address" in str(exc):
            return  # not resolvable yet: the log will say so at delivery
        raise DomainError(
            _("This address is not public; Trustmark does not send webhooks there."),
            field="url",
        ) from exc


# --- Services ----------------------------------------------------------------------------


def add_endpoint(
    *,
    actor: Any,
    member: Member,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    shops: Iterable[Shop] = (),
    enabled: bool = True,
) -> WebhookEndpoint:
    """A new endpoint; its secret (`endpoint.secret`) is shown to the person this once."""
    shops = list(shops)
    _require(actor, member, shops)
    _check_reachable(url)
    with transaction.atomic(), _acting(actor, "webhook_endpoint_created"):
        endpoint = webhooks.create_endpoint(
            member=member, url=url, event_types=event_types, description=description, shops=shops
        )
        if not enabled:
            endpoint.enabled = False
            endpoint.disabled_at = timezone.now()
            endpoint.save(update_fields=["enabled", "disabled_at"])
    return endpoint


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)


def _current_shops(endpoint: WebhookEndpoint) -> list[Shop]:
    return list(endpoint.shops.all())


def update_endpoint(
    *,
    actor: Any,
    endpoint: WebhookEndpoint,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    shops: Iterable[Shop] = (),
    enabled: bool = True,
) -> WebhookEndpoint:
    """Change an endpoint: the actor needs the right over its shops before and after."""
    shops = list(shops)
    member = endpoint.member
    _require(actor, member, _current_shops(endpoint))
    _require(actor, member, shops)
    url = webhooks._check_url(url)
    types = webhooks._check_event_types(event_types)
    if len(description or "") > 200:
        raise DomainError(_("The description is too long (200 characters)."), field="description")
    if any(shop.member_id != member.pk for shop in shops):
        raise DomainError(_("Choose shops of this member only."), field="shops")
    _check_reachable(url)
    with transaction.atomic(), _acting(actor, "webhook_endpoint_changed"):
        endpoint = _locked(endpoint)
        endpoint.url, endpoint.event_types, endpoint.description = url, types, description or ""
        _apply_enabled(endpoint, enabled)
        endpoint.save()
        endpoint.shops.set(shops)
        webhooks.forget_listening(endpoint.member_id)
    return endpoint


def _apply_enabled(endpoint: WebhookEndpoint, enabled: bool) -> None:
    """Enabling starts afresh (no failures counted); disabling notes when."""
    if enabled and not endpoint.enabled:
        endpoint.enabled, endpoint.disabled_at, endpoint.failing_since = True, None, None
    elif not enabled and endpoint.enabled:
        endpoint.enabled, endpoint.disabled_at = False, timezone.now()


def set_enabled(*, actor: Any, endpoint: WebhookEndpoint, enabled: bool) -> WebhookEndpoint:
    _require(actor, endpoint.member, _current_shops(endpoint))
    action = "webhook_endpoint_enabled" if enabled else "webhook_endpoint_disabled"
    with transaction.atomic(), _acting(actor, action):
        endpoint = _locked(endpoint)
        _apply_enabled(endpoint, enabled)
        endpoint.save(update_fields=["enabled", "disabled_at", "failing_since"])
        webhooks.forget_listening(endpoint.member_id)
    return endpoint


def rotate_endpoint_secret(*, actor: Any, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret (shown once); the previous one also signs for 24 hours."""
    _require(actor, endpoint.member, _current_shops(endpoint))
    with transaction.atomic(), _acting(actor, "webhook_secret_rotated"):
        return webhooks.rotate_secret(endpoint=endpoint)


def delete_endpoint(*, actor: Any, endpoint: WebhookEndpoint) -> None:
    _require(actor, endpoint.member, _current_shops(endpoint))
    with transaction.atomic(), _acting(actor, "webhook_endpoint_deleted"):
        member_id = endpoint.member_id
        _locked(endpoint).delete()
        webhooks.forget_listening(member_id)


def send_ping(*, actor: Any, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `ping` event to this endpoint only, enabled or not subscribed to it."""
    _require(actor, endpoint.member, _current_shops(endpoint))
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            event_id=f"msg_{uuid.uuid4().hex}",
            type="ping",
            payload={"endpoint": endpoint.pk, "url": endpoint.url},
            member_id=endpoint.member_id,
        )
        delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint)
        webhooks.enqueue(delivery)
    return delivery


def redeliver(*, actor: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event (same `webhook-id`) again: the delivery starts its retries afresh;
    its earlier attempts stay in the log."""
    endpoint = delivery.endpoint
    _require(actor, endpoint.member, _current_shops(endpoint))
    if not endpoint.enabled:
        raise DomainError(_("Enable the endpoint before sending events again."))
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.state = WebhookDelivery.State.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.delivered_at = None
        delivery.save(update_fields=["state", "attempts", "next_attempt_at", "delivered_at"])
        webhooks.enqueue(delivery)
    return delivery


def resend_missed(*, actor: Any, endpoint: WebhookEndpoint) -> int:
    """Send again every failed delivery to this endpoint since its last delivered one (or its
    creation); how many."""
    last = (
        endpoint.deliveries.filter(state=WebhookDelivery.State.DELIVERED)
        .order_by("-delivered_at")
        .values_list("delivered_at", flat=True)
        .first()
    )
    missed = list(
        endpoint.deliveries.filter(
            state=WebhookDelivery.State.FAILED, event__created_at__gte=last or endpoint.created_at
        )
        .select_related("endpoint__member")
        .order_by("pk")
    )
    for delivery in missed:
        redeliver(actor=actor, delivery=delivery)
    return len(missed)


# --- Failing endpoints -------------------------------------------------------------------


def people_to_tell(endpoint: WebhookEndpoint) -> list[Any]:
    """The member's people who hold the integrations right over the endpoint."""
    from certification.models import TeamMembership

    people = [
        membership.user
        for membership in TeamMembership.objects.filter(member_id=endpoint.member_id)
        .select_related("user")
        .order_by("user__email")
    ]
    shops = _current_shops(endpoint)
    return [p for p in people if p.is_active and may_manage(p, endpoint.member, shops)]


def tell_people_endpoint_disabled(endpoint_id: int, now: datetime, **_kwargs: Any) -> None:
    """Connected to notifications' `endpoint_disabled_for_failing` (certification/apps.py):
    the member's people with the integrations right over the endpoint get an email."""
    from django.conf import settings
    from django.urls import reverse

    from notifications.services import queue_email

    endpoint = WebhookEndpoint.objects.select_related("member").get(pk=endpoint_id)
    for person in people_to_tell(endpoint):
        queue_email(
            to=person.email,
            recipient=person,
            template="webhook_disabled",
            language=person.language,
            context={
                "member": endpoint.member.legal_name,
                "url": endpoint.url,
                "failing_since": endpoint.failing_since,
                "days": webhooks.DISABLE_AFTER.days,
                "page_url": settings.SITE_URL
                + reverse("portal:integrations:endpoint", args=[endpoint.pk]),
            },
            dedupe_key=f"webhook-disabled:{endpoint.pk}:{person.pk}:{now:%Y%m%d%H%M%S}",
        )
