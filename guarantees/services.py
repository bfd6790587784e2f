"""Register, cancel and expire guarantees: amounts, caps and periods checked here and in SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import Shop
from certification.verification import shop_has_valid_mark
from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from core.money import parse_amount
from core.sql import InsertedValue, OneStatement
from guarantees.cover import cap_for, cover_amount, cover_until
from guarantees.models import Channel, Guarantee, GuaranteeNumber, GuaranteeState, Plan
from notifications.services import queue_email
from notifications.webhooks import emit

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


@dataclass(frozen=True)
class Purchase:
    """What a shop or a buyer says was bought."""

    order_reference: str
    amount: Any
    currency: str
    buyer_email: str
    purchase_date: date
    buyer_name: str = ""
    expected_delivery_date: date | None = None
    plan: str = Plan.BASIC
    language: str = ""


def _check_shop(shop: Shop) -> None:
    """The shop is live and its mark active, as its badge says: cached, invalidated on every
    change of the mark or the shop (certification.verification)."""
    if shop.closed_at is not None or not shop_has_valid_mark(shop.public_id):
        raise Conflict(
            _("%(domain)s has no valid trust mark: purchases there cannot be registered.")
            % {"domain": shop.display_domain}
        )


def _check_dates(purchase: Purchase, channel: str) -> None:
    today = timezone.localdate()
    window = (
        settings.GUARANTEE_BUYER_REGISTRATION_DAYS
        if channel == Channel.BUYER
        else settings.GUARANTEE_REGISTRATION_DAYS
    )
    if purchase.purchase_date > today:
        raise DomainError(_("The purchase date cannot be in the future."), field="purchase_date")
    if purchase.purchase_date < today - timedelta(days=window):
        raise DomainError(
            _("A purchase must be registered within %(days)s days.") % {"days": window},
            field="purchase_date",
        )
    expected = purchase.expected_delivery_date
    if expected is not None and expected < purchase.purchase_date:
        raise DomainError(
            _("The expected delivery cannot be before the purchase."),
            field="expected_delivery_date",
        )
    if expected is not None and expected > purchase.purchase_date + timedelta(days=365):
        raise DomainError(
            _("The expected delivery is more than a year away."), field="expected_delivery_date"
        )


def _cap(shop: Shop, plan: str, currency: str) -> Decimal:
    if plan not in Plan.values:
        raise DomainError(_("The plan must be basic or plus."), field="plan")
    if plan == Plan.PLUS and "guarantee_plus" not in (shop.plan.features or []):
        raise DomainError(_("This shop does not offer the Plus guarantee."), field="plan")
    cap = cap_for(plan, currency)
    if cap is None:
        raise DomainError(
            _("The %(plan)s guarantee is not offered in %(currency)s.")
            % {"plan": Plan(plan).label, "currency": currency},
            field="currency",
        )
    return cap


@dataclass(frozen=True)
class CheckedPurchase:
    """A purchase that passed every check: the values to store."""

    reference: str
    amount: Decimal
    currency: str
    email: str
    cap: Decimal
    language: str


def check_purchase(*, shop: Shop, purchase: Purchase, channel: str) -> CheckedPurchase:
    """Every rule a registration must pass except the unique order reference (SQL checks it)."""
    currency = (purchase.currency or "").upper()
    if currency != shop.currency:
        raise DomainError(
            _("This shop sells in %(currency)s.") % {"currency": shop.currency}, field="currency"
        )
    for field in ("order_reference", "buyer_email", "buyer_name", "language"):
        if "\x00" in str(getattr(purchase, field) or ""):
            raise DomainError(
                _("This field contains a character that is not allowed."), field=field
            )
    amount = parse_amount(purchase.amount, currency)
    reference = (purchase.order_reference or "").strip()
    if not reference or len(reference) > 100:
        raise DomainError(
            _("Give the order reference (at most 100 characters)."), field="order_reference"
        )
    email = (purchase.buyer_email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(_("Enter a valid email address."), field="buyer_email") from exc
    _check_dates(purchase, channel)
    _check_shop(shop)
    cap = _cap(shop, purchase.plan, currency)
    language = purchase.language if purchase.language in SUPPORTED_LANGUAGES else shop.language
    language = language if language in SUPPORTED_LANGUAGES else "en"
    return CheckedPurchase(reference, amount, currency, email, cap, language)


def _api_json(guarantee: Guarantee) -> dict[str, Any]:
    from guarantees.api import as_json  # the API imports this module

    return as_json(guarantee)


RowsWith = Callable[[Guarantee, InsertedValue], Iterable[models.Model]]


def register_guarantee(
    *,
    shop: Shop,
    purchase: Purchase,
    channel: str,
    buyer: Any | None = None,
    savepoint: bool = True,
    rows_with: RowsWith | None = None,
) -> Guarantee:
    """Register one purchase for buyer protection, or say exactly why not.

    The guarantee, the buyer's confirmation email and any rows `rows_with` gives
    (the API's stored Idempotency-Key answer) are written by one INSERT statement
    (core.sql): together or not at all, in one round trip. `rows_with` gets the
    unsaved guarantee and the SQL value of the number the database will give it.

    Inside a caller's transaction the insert runs in a savepoint, so that a duplicate
    order leaves the caller's transaction usable. A caller that ends its transaction on
    any refusal anyway (the API's idempotent run) passes `savepoint=False`: two
    statements fewer, and a duplicate order then aborts the caller's transaction.
    """
    checked = check_purchase(shop=shop, purchase=purchase, channel=channel)
    reference, amount, currency = checked.reference, checked.amount, checked.currency
    email, cap, language = checked.email, checked.cap, checked.language
    guarantee = Guarantee(
        number=GuaranteeNumber(timezone.localdate().year),  # made by the INSERT
        shop=shop,
        buyer=buyer,
        buyer_email=email,
        buyer_name=(purchase.buyer_name or "").strip()[:200],
        language=language,
        order_reference=reference,
        amount=amount,
        currency=currency,
        purchase_date=purchase.purchase_date,
        expected_delivery_date=purchase.expected_delivery_date,
        plan=purchase.plan,
        cap_amount=cap,
        cover_amount=cover_amount(amount, cap),
        cover_until=cover_until(purchase.purchase_date, purchase.expected_delivery_date),
        channel=channel,
    )
    rows = OneStatement()
    number = rows.value(rows.add(guarantee, "number"), "number")
    try:
        with (
            transaction.atomic(savepoint=savepoint),
            acting(buyer, "guarantee_registered", channel=channel),
        ):
            queue_email(
                to=email,
                recipient=buyer,
                template="guarantee_registered",
                language=language,
                render_in_worker=True,
                statement=rows,
                context={
                    "number": number,  # the template makes the page link from it
                    "shop": shop.name,
                    "domain": shop.display_domain,
                    "plan": Plan(purchase.plan).label,
                    "cover": guarantee.cover_amount,
                    "currency": currency,
                    "cover_until": guarantee.cover_until,
                    "order_reference": reference,
                },
            )
            for row in rows_with(guarantee, number) if rows_with else ():
                rows.add(row)
            rows.execute()
            emit(
                "guarantee.registered",
                shop.member_id,
                lambda: {"guarantee": _api_json(guarantee)},
                shop=shop.pk,
            )
    except IntegrityError as exc:
        if "guarantees_one_per_order" in str(exc):
            raise Conflict(
                _("Order %(reference)s is already registered.") % {"reference": reference},
                field="order_reference",
            ) from exc
        raise
    return guarantee


def cancel_guarantee(
    *, guarantee: Guarantee, actor: Any | None, by_buyer_email: str = ""
) -> Guarantee:
    """The buyer gives up the protection of an active guarantee."""
    owner_ok = actor is not None and guarantee.buyer_id == actor.pk
    email_ok = by_buyer_email and by_buyer_email.lower() == guarantee.buyer_email
    if not (owner_ok or email_ok):
        raise NotPermitted(_("Only the buyer may cancel this guarantee."))
    with transaction.atomic():
        guarantee = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
        if guarantee.state != GuaranteeState.ACTIVE:
            raise Conflict(_("Only an active guarantee can be cancelled."))
        guarantee.cancel()
        with acting(actor, "guarantee_cancelled"):
            guarantee.save()
    return guarantee


def expire_due_guarantees(*, today: date | None = None, limit: int = 1000) -> int:
    """Active guarantees past their cover period expire. Safe to run twice or in parallel."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = list(
            Guarantee.objects.select_for_update(skip_locked=True)
            .filter(state=GuaranteeState.ACTIVE, cover_until__lt=today)
            .order_by("pk")[:limit]
        )
        with acting(None, "guarantee_expired"):
            for guarantee in due:
                guarantee.expire()
                guarantee.save(update_fields=["state", "updated_at"])
    return len(due)
