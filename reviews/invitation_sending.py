"""The worker's side of invitations: guarantees picked up, due ones sent, reminders, expiry.

Each step is safe to run twice and on two workers at once:
- invitations for guarantees: the unique index on the guarantee (and on the order
  reference) lets one worker win; the other's attempt is a Conflict and skipped;
- sending and reminding: rows are taken with SELECT ... FOR UPDATE SKIP LOCKED, so
  two workers never hold the same invitation, and the email is queued with a
  dedupe key per invitation and kind in the transaction that marks it sent;
- expiry and erasure are compare-and-set UPDATEs.

"Delivered" means: our outbox handed the email to the mail server (the outbox
row's sent_at). Bounces are not known to us; a later click is the buyer's proof.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from core.history import acting
from guarantees.models import Guarantee, GuaranteeState
from notifications.models import OutgoingMessage
from notifications.services import queue_email
from reviews.invitations import invite, remind_at_of
from reviews.models import Invitation, InvitationSource, InvitationState, ReviewSettings
from reviews.models.invitations import USABLE_STATES, Unsubscribe, email_digest

log = logging.getLogger(__name__)

BATCH = 100
# Guarantees registered this long ago are still picked up (a worker down for a while).
GUARANTEE_CATCH_UP = timedelta(days=3)
SUPPORTED = {code for code, _name in settings.LANGUAGES}


def dedupe_key(invitation_id: int, kind: str) -> str:
    return f"review-invitation:{invitation_id}:{kind}"


def _url(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def email_context(invitation: Invitation, kind: str) -> dict[str, Any]:
    """The same words for every order: the shop, its logo, the links; no incentive."""
    shop_settings = getattr(invitation.shop, "review_settings", None)
    return {
        "kind": kind,
        "shop": invitation.shop.name,
        "domain": invitation.shop.display_domain,
        "logo_url": shop_settings.logo_url if shop_settings else "",
        "order_reference": invitation.order_reference,
        "order_date": invitation.order_date,
        "review_until": invitation.review_until,
        "rate_url": _url("review_buyer:invitation", invitation.token),
        "later_url": _url("review_invitations:later", invitation.token),
        "unsubscribe_url": _url("review_invitations:unsubscribe", invitation.token),
        "unsubscribe_all_url": _url("review_invitations:unsubscribe_all", invitation.token),
    }


def _queue(invitation: Invitation, kind: str) -> OutgoingMessage:
    language = invitation.language if invitation.language in SUPPORTED else "en"
    return queue_email(
        to=invitation.email,
        template="review_invitation",
        language=language,
        context=email_context(invitation, kind),
        dedupe_key=dedupe_key(invitation.pk, kind),
    )


def _unsubscribed(rows: list[Invitation]) -> set[tuple[str, int | None]]:
    """(digest, shop id or None) of the unsubscribes that concern these rows."""
    digests = {email_digest(row.email) for row in rows if row.email}
    return set(
        Unsubscribe.objects.filter(email_sha256__in=digests).values_list("email_sha256", "shop_id")
    )


def _left(row: Invitation, unsubscribed: set[tuple[str, int | None]]) -> bool:
    digest = email_digest(row.email)
    return (digest, None) in unsubscribed or (digest, row.shop_id) in unsubscribed


def invite_registered_guarantees(now: datetime | None = None) -> int:
    """Invitations for the guarantees registered lately at shops that invite after a guarantee.

    One query finds them (no invitation yet, no invitation of that order either);
    each is invited through `invite`, so the same checks and the unsubscribes apply.
    """
    now = now or timezone.now()
    oldest_order = timezone.localdate() - relativedelta(months=settings.REVIEW_WRITE_MONTHS)
    candidates = (
        Guarantee.objects.filter(
            created_at__gte=now - GUARANTEE_CATCH_UP,
            purchase_date__gte=oldest_order,
            shop__closed_at=None,
            shop__review_settings__enabled=True,
            shop__review_settings__invite_after_guarantee=True,
        )
        .exclude(state=GuaranteeState.CANCELLED)
        .filter(
            ~Exists(Invitation.objects.filter(guarantee=OuterRef("pk"))),
            ~Exists(
                Invitation.objects.filter(
                    shop=OuterRef("shop"), order_reference=OuterRef("order_reference")
                )
            ),
        )
        .select_related("shop")
        .order_by("pk")
    )
    created = 0
    for guarantee in candidates.iterator(chunk_size=BATCH):
        try:
            invite(
                shop=guarantee.shop,
                order_reference=guarantee.order_reference,
                email=guarantee.buyer_email,
                name=guarantee.buyer_name,
                language=guarantee.language,
                order_date=guarantee.purchase_date,
                expected_delivery_date=guarantee.expected_delivery_date,
                source=InvitationSource.GUARANTEE,
                guarantee=guarantee,
            )
        except DomainError as exc:  # invited meanwhile by another worker, or not invitable
            log.info("guarantee %s not invited: %s", guarantee.pk, exc.message)
            continue
        created += 1
    return created


def _send_batch(now: datetime, figures: dict[str, int]) -> int:
    """One transaction: lock up to BATCH due invitations nobody else holds; how many taken."""
    with transaction.atomic():
        rows = list(
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=InvitationState.SCHEDULED, send_at__lte=now)
            .select_related("shop", "shop__review_settings")
            .order_by("send_at", "pk")[:BATCH]
        )
        unsubscribed = _unsubscribed(rows) if rows else set()
        for row in rows:
            shop_settings: ReviewSettings | None = getattr(row.shop, "review_settings", None)
            if row.review_until < timezone.localdate():
                row.expire()
                action = "expired"
            elif (
                _left(row, unsubscribed)
                or not row.shop.is_live
                or shop_settings is None
                or not shop_settings.enabled
            ):
                row.cancel()
                action = "cancelled"
            else:
                _queue(row, "invite")
                row.mark_sent()
                row.remind_at = remind_at_of(row.sent_at or now, shop_settings)
                action = "sent"
            figures[action] += 1
            with acting(None, f"invitation_{action}"):
                row.save()
    return len(rows)


def send_due(now: datetime | None = None) -> dict[str, int]:
    """Send every invitation due now; each taken row leaves `scheduled`, so this ends."""
    now = now or timezone.now()
    figures = {"sent": 0, "cancelled": 0, "expired": 0}
    while _send_batch(now, figures):
        pass
    return figures


def send_reminders(now: datetime | None = None) -> int:
    """The one reminder, to buyers who have not reviewed yet and still may."""
    now = now or timezone.now()
    today = timezone.localdate()
    reminded = 0
    while True:
        with transaction.atomic():
            rows = list(
                Invitation.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    state__in=[InvitationState.SENT, InvitationState.OPENED],
                    reminded_at=None,
                    remind_at__lte=now,
                    review_until__gte=today,
                    erased_at=None,
                )
                .select_related("shop", "shop__review_settings")
                .order_by("remind_at", "pk")[:BATCH]
            )
            if not rows:
                return reminded
            unsubscribed = _unsubscribed(rows)
            for row in rows:
                if not (_left(row, unsubscribed) or row.unsubscribed_at or not row.shop.is_live):
                    _queue(row, "reminder")
                    reminded += 1
                row.reminded_at = now
                with acting(None, "invitation_reminded"):
                    row.save(update_fields=["reminded_at", "updated_at"])


def expire_past(now: datetime | None = None) -> int:
    """Invitations whose time for reviews is over; their link now says so."""
    today = timezone.localdate(now)
    with transaction.atomic(), acting(None, "invitation_expired"):
        return Invitation.objects.filter(state__in=USABLE_STATES, review_until__lt=today).update(
            state=InvitationState.EXPIRED, updated_at=timezone.now()
        )


def mark_delivered(now: datetime | None = None) -> int:
    """Copy the outbox's sent time of each recent invitation email to delivered_at."""
    now = now or timezone.now()
    message = OutgoingMessage.objects.filter(
        dedupe_key=Concat(
            Value("review-invitation:"),
            Cast(OuterRef("pk"), output_field=CharField()),
            Value(":invite"),
        ),
        status=OutgoingMessage.Status.SENT,
    )
    return Invitation.objects.filter(
        Exists(message),
        delivered_at=None,
        sent_at__gte=now - timedelta(days=7),
    ).update(delivered_at=Subquery(message.values("sent_at")[:1]))


def erase_unused(now: datetime | None = None) -> int:
    """Forget the address and name of invitations never used, KEEP_DAYS after their order."""
    now = now or timezone.now()
    before = timezone.localdate(now) - timedelta(days=settings.REVIEW_INVITATION_KEEP_DAYS)
    with transaction.atomic(), acting(None, "invitation_erased"):
        return (
            Invitation.objects.filter(erased_at=None, order_date__lt=before, reviewed_at=None)
            .exclude(state=InvitationState.REVIEWED)
            .update(
                email="",
                name="",
                erased_at=now,
                state=Case(
                    When(state__in=USABLE_STATES, then=Value(InvitationState.EXPIRED)),
                    default=F("state"),
                    output_field=CharField(),
                ),
                updated_at=now,
            )
        )
