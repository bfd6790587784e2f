"""Inviting buyers to review: one invitation per order, the same for every order.

`invite` is the one way in (the shop's API, an uploaded list, a registered
guarantee picked up by the worker). It checks the order, schedules the email
after the shop's delay and records the order's items as products. An address
unsubscribed from the shop (or from every shop) is recorded as a cancelled
invitation, so the funnel counts it, and never written to. The sending is in
reviews.invitation_sending; the buyer's links (rate later, unsubscribe) here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import Shop
from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from guarantees.models import Guarantee
from reviews.access import may_work_shop, speaks_for_shop
from reviews.models import (
    Invitation,
    InvitationLine,
    InvitationSource,
    InvitationState,
    Product,
    ReviewSettings,
    Unsubscribe,
)
from reviews.models.invitations import email_digest
from reviews.products import ProductData, clean_product, upsert_product

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}
# The hour of the shop's day at which invitations go out (the worker runs every few minutes).
SEND_HOUR = 10
# "Rate later": the one reminder comes this many days after the click.
LATER_DAYS = 3
MAX_LINES = 50


@dataclass(frozen=True)
class Line:
    """One item of an invited order: the product (by the shop's SKU) and how many."""

    product: ProductData
    quantity: int = 1


@dataclass(frozen=True)
class OrderData:
    """An order to invite, as the API, an uploaded row or a guarantee gives it."""

    order_reference: str
    email: str
    name: str = ""
    language: str = ""
    order_date: date | None = None
    expected_delivery_date: date | None = None
    lines: Sequence[Line] = field(default_factory=tuple)


def review_until_of(order_date: date) -> date:
    return order_date + relativedelta(months=settings.REVIEW_WRITE_MONTHS)


def send_at_of(order: OrderData, shop_settings: ReviewSettings, now: datetime) -> datetime:
    """The shop's delay after the expected delivery (or the order), at SEND_HOUR; never past."""
    start = order.expected_delivery_date or order.order_date or timezone.localdate()
    day = start + timedelta(days=shop_settings.invite_delay_days)
    when = timezone.make_aware(datetime.combine(day, time(SEND_HOUR)))
    return max(when, now)


def remind_at_of(sent: datetime, shop_settings: ReviewSettings) -> datetime | None:
    if not shop_settings.reminder_days:
        return None
    return sent + timedelta(days=shop_settings.reminder_days)


def shop_settings_for_inviting(shop: Shop) -> ReviewSettings:
    """The shop's review settings, or a Conflict when it cannot invite now."""
    if not shop.is_live:
        raise Conflict(_("This shop is closed."))
    found = ReviewSettings.objects.filter(shop=shop).first()
    if found is None or not found.enabled:
        raise Conflict(_("This shop does not collect reviews: turn reviews on first."))
    return found


def _merge_lines(lines: Iterable[Line]) -> list[Line]:
    """Several lines with one SKU are one item with their quantities added."""
    merged: dict[str, Line] = {}
    for item in lines:
        sku = item.product.sku
        if sku in merged:
            item = Line(product=merged[sku].product, quantity=merged[sku].quantity + item.quantity)
        merged[sku] = item
    return list(merged.values())


def problems(
    shop: Shop, order: OrderData, *, today: date | None = None, line_prefix: str = "lines"
) -> tuple[OrderData | None, list[DomainError]]:
    """The order checked and cleaned, or every problem found (each naming its field).

    Does not look at the database: duplicates are found by `invite` (and the upload's
    preview) because they depend on what is stored at that moment.
    """
    today = today or timezone.localdate()
    found: list[DomainError] = []
    reference = (order.order_reference or "").strip()
    if not reference:
        found.append(DomainError(_("The order reference is missing."), field="order_reference"))
    elif len(reference) > 100:
        found.append(DomainError(_("At most 100 characters, please."), field="order_reference"))
    email = (order.email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        found.append(DomainError(_("Enter a valid email address."), field="email"))
    name = (order.name or "").replace("\x00", "").strip()
    if len(name) > 200:
        found.append(DomainError(_("At most 200 characters, please."), field="name"))
    code = (order.language or "").strip().split("-")[0].lower()
    if code and code not in SUPPORTED_LANGUAGES:
        found.append(
            DomainError(
                _("Unknown language: use one of %(codes)s.")
                % {"codes": ", ".join(sorted(SUPPORTED_LANGUAGES))},
                field="language",
            )
        )
    language = code if code in SUPPORTED_LANGUAGES else (shop.language or "en")[:2]
    if language not in SUPPORTED_LANGUAGES:
        language = "en"
    ordered = order.order_date
    if ordered is None:
        found.append(DomainError(_("The order date is missing."), field="order_date"))
    elif ordered > today:
        found.append(DomainError(_("The order date is in the future."), field="order_date"))
    elif review_until_of(ordered) < today:
        found.append(
            DomainError(
                _("This order is too old: reviews are accepted for %(months)s months.")
                % {"months": settings.REVIEW_WRITE_MONTHS},
                field="order_date",
            )
        )
    delivery = order.expected_delivery_date
    if delivery is not None and ordered is not None:
        if delivery < ordered:
            found.append(
                DomainError(
                    _("The expected delivery is before the order date."),
                    field="expected_delivery_date",
                )
            )
        elif delivery > review_until_of(ordered):
            found.append(
                DomainError(
                    _("The expected delivery is after the time allowed for reviews."),
                    field="expected_delivery_date",
                )
            )
    lines: list[Line] = []
    if len(order.lines) > MAX_LINES:
        found.append(
            DomainError(
                _("At most %(count)s items per order.") % {"count": MAX_LINES}, field=line_prefix
            )
        )
    for index, item in enumerate(order.lines[:MAX_LINES]):
        prefix = f"{line_prefix}[{index}]." if line_prefix != "" else ""
        try:
            product = clean_product(item.product, prefix=prefix, name_required=False)
        except DomainError as exc:
            found.append(exc)
            continue
        if not 1 <= item.quantity <= 9999:
            found.append(DomainError(_("Between 1 and 9999, please."), field=prefix + "quantity"))
            continue
        lines.append(Line(product=product, quantity=item.quantity))
    if found:
        return None, found
    return (
        OrderData(
            order_reference=reference,
            email=email,
            name=name,
            language=language,
            order_date=ordered,
            expected_delivery_date=delivery,
            lines=_merge_lines(lines),
        ),
        [],
    )


def unsubscribed_since(shop_id: int, email: str) -> datetime | None:
    """When the address left this shop's (or every shop's) invitations, or None."""
    return (
        Unsubscribe.objects.filter(
            Q(shop_id=shop_id) | Q(shop=None), email_sha256=email_digest(email)
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def _require_names_of_new_products(shop: Shop, lines: Sequence[Line]) -> None:
    skus = {item.product.sku.strip() for item in lines}
    known = set(Product.objects.filter(shop=shop, sku__in=skus).values_list("sku", flat=True))
    named = {item.product.sku.strip() for item in lines if item.product.name.strip()}
    for index, item in enumerate(lines):
        if item.product.sku.strip() not in known | named:
            raise DomainError(_("A new product needs its name."), field=f"lines[{index}].name")


def invite(
    *,
    shop: Shop,
    order_reference: str,
    email: str,
    name: str = "",
    language: str = "",
    order_date: date | None,
    expected_delivery_date: date | None = None,
    source: str,
    lines: Sequence[Line] = (),
    guarantee: Guarantee | None = None,
    actor: Any = None,
) -> Invitation:
    """Schedule the invitation of one order; refused with a DomainError naming the field.

    A duplicate order reference (checked, and guarded by the unique index) is a
    Conflict. An unsubscribed address gives a cancelled invitation, never sent.
    """
    if source not in InvitationSource.values:
        raise DomainError(_("Unknown source."), field="source")
    if actor is not None and not may_work_shop(actor, shop):
        raise NotPermitted(_("You need the reviews right on this shop."))
    shop_settings = shop_settings_for_inviting(shop)
    order, found = problems(
        shop,
        OrderData(
            order_reference=order_reference,
            email=email,
            name=name,
            language=language,
            order_date=order_date,
            expected_delivery_date=expected_delivery_date,
            lines=tuple(lines),
        ),
    )
    if found:
        raise found[0]
    _require_names_of_new_products(shop, lines)
    if order is None or order.order_date is None:  # problems() reports both; for the checker
        raise DomainError(_("The order date is missing."), field="order_date")
    now = timezone.now()
    send_at = send_at_of(order, shop_settings, now)
    left = unsubscribed_since(shop.pk, order.email)
    duplicate = Conflict(
        _("The order %(reference)s has already been invited.")
        % {"reference": order.order_reference},
        field="order_reference",
    )
    if Invitation.objects.filter(shop=shop, order_reference=order.order_reference).exists():
        raise duplicate
    try:
        with transaction.atomic(), acting(actor, "invitation_created", source=source):
            invitation = Invitation.objects.create(
                shop=shop,
                guarantee=guarantee,
                source=source,
                order_reference=order.order_reference,
                email=order.email,
                name=order.name,
                language=order.language,
                order_date=order.order_date,
                expected_delivery_date=order.expected_delivery_date,
                state=InvitationState.CANCELLED if left else InvitationState.SCHEDULED,
                send_at=send_at,
                remind_at=remind_at_of(send_at, shop_settings),
                review_until=review_until_of(order.order_date),
                unsubscribed_at=left,
            )
            InvitationLine.objects.bulk_create(
                InvitationLine(
                    invitation=invitation,
                    product=upsert_product(shop=shop, data=item.product, actor=actor, partial=True)[
                        0
                    ],
                    quantity=item.quantity,
                )
                for item in order.lines
            )
    except IntegrityError as exc:
        if "reviews_one_invitation_per_order" in str(exc) or "guarantee_id" in str(exc):
            raise duplicate from exc
        raise
    return invitation


def _locked(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)


def cancel(*, invitation: Invitation, actor: Any) -> Invitation:
    """The shop withdraws an invitation not yet sent."""
    if not speaks_for_shop(actor, invitation.shop):
        raise NotPermitted(_("You need the reviews right on this shop."))
    with transaction.atomic():
        locked = _locked(invitation)
        if locked.state != InvitationState.SCHEDULED:
            raise Conflict(_("Only an invitation not yet sent can be cancelled."))
        locked.cancel()
        with acting(actor, "invitation_cancelled"):
            locked.save()
    return locked


def rate_later(*, invitation: Invitation) -> datetime:
    """The buyer asks to be reminded later: the one reminder moves to LATER_DAYS from now.

    Asked twice, the reminder stays where the first ask put it; once the reminder
    went out, there is no other (a Conflict).
    """
    with transaction.atomic():
        locked = _locked(invitation)
        if locked.erased_at is not None or not locked.is_usable:
            raise Conflict(_("This invitation can no longer be used."))
        if locked.reminded_at is not None:
            raise Conflict(_("We have already reminded you once; we will not write again."))
        now = timezone.now()
        wanted = min(
            now + timedelta(days=LATER_DAYS),
            timezone.make_aware(datetime.combine(locked.review_until, time(SEND_HOUR))),
        )
        if locked.remind_at is not None and now < locked.remind_at <= wanted + timedelta(hours=1):
            return locked.remind_at  # already moved by a first click
        locked.remind_at = max(wanted, now)
        with acting(None, "invitation_rate_later", party="buyer"):
            locked.save(update_fields=["remind_at", "updated_at"])
    return locked.remind_at


def unsubscribe(*, invitation: Invitation, every_shop: bool) -> bool:
    """No more invitations to this address from the shop (or from every shop); True if new.

    The address is kept only as a digest. The invitation records when it happened;
    a scheduled one is cancelled at once, others when they come due.
    """
    with transaction.atomic():
        locked = _locked(invitation)
        created = False
        if locked.email:
            _row, created = Unsubscribe.objects.get_or_create(
                email_sha256=email_digest(locked.email),
                shop=None if every_shop else locked.shop,
            )
        if locked.unsubscribed_at is None:
            locked.unsubscribed_at = timezone.now()
        if locked.state == InvitationState.SCHEDULED:
            locked.cancel()
        with acting(None, "invitation_unsubscribed", party="buyer", every_shop=every_shop):
            locked.save()
    return created
