"""What the case pages read: queues, a case's thread and its history, recourse balances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Sum, When
from django.utils import timezone

from disputes.models import (
    OPEN_CLAIM_STATES,
    Attachment,
    Claim,
    ClaimState,
    Message,
    Party,
    RecourseEntry,
    due_expression,
    queue_order_expression,
)

AMOUNT_BANDS = {
    "small": (None, Decimal("100")),
    "medium": (Decimal("100"), Decimal("2500")),
    "large": (Decimal("2500"), None),
}


def with_due(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate `due`: the deadline that matters now (information, else the shop's)."""
    return claims.annotate(due=due_expression())


def shop_cases(claims: QuerySet[Claim], *, state: str = "") -> QuerySet[Claim]:
    """A shop's cases, open ones with the nearest deadline first."""
    if state:
        claims = claims.filter(state=state)
    return (
        with_due(claims)
        .select_related("guarantee", "shop")
        .annotate(
            open_rank=Case(When(state__in=OPEN_CLAIM_STATES, then=0), default=1),
        )
        .order_by("open_rank", F("due").asc(nulls_last=True), "-opened_at")
    )


MEDIATION_QUEUE_ORDER = ("sort_due", "pk")


def mediation_queue(
    *,
    user: Any,
    state: str = "",
    overdue: bool = False,
    mine: bool = False,
    band: str = "",
    due_today: bool = False,
    flagged: bool = False,
) -> QuerySet[Claim]:
    """Cases for mediators, by due date; by default every case still being worked."""
    claims = Claim.objects.all()
    claims = claims.filter(state=state) if state else claims.filter(state__in=OPEN_CLAIM_STATES)
    if mine:
        claims = claims.filter(mediator=user)
    if overdue:
        claims = claims.filter(_overdue(timezone.now()))
    if due_today:
        claims = claims.filter(_due_today())
    if flagged:
        claims = claims.filter(overdue_flagged_at__isnull=False)
    if band in AMOUNT_BANDS:
        low, high = AMOUNT_BANDS[band]
        if low is not None:
            claims = claims.filter(amount__gte=low)
        if high is not None:
            claims = claims.filter(amount__lt=high)
    return (
        with_due(claims)
        .select_related("guarantee", "shop", "mediator")
        # The expression of the claim_queue_order_idx index, so that a page is a range of it.
        .annotate(sort_due=queue_order_expression())
        .order_by(*MEDIATION_QUEUE_ORDER)
    )


def _overdue(now: datetime) -> Q:
    return (
        Q(state=ClaimState.AWAITING_SHOP, shop_due_at__lt=now)
        | Q(state=ClaimState.AWAITING_INFORMATION, info_due_at__lt=now)
        | Q(overdue_flagged_at__isnull=False)
    )


def _due_today() -> Q:
    """The deadline that matters now (the shop's or the information's) falls on today."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    return Q(state=ClaimState.AWAITING_SHOP, shop_due_at__gte=start, shop_due_at__lt=end) | Q(
        state=ClaimState.AWAITING_INFORMATION, info_due_at__gte=start, info_due_at__lt=end
    )


def mediation_counts(*, user: Any) -> dict[str, int]:
    """The dashboard's figures for the mediation queue, in one query."""
    open_ = Q(state__in=OPEN_CLAIM_STATES)
    return Claim.objects.filter(open_).aggregate(
        open=Count("pk"),
        in_mediation=Count("pk", filter=Q(state=ClaimState.IN_MEDIATION)),
        mine=Count("pk", filter=Q(mediator=user)),
        overdue=Count("pk", filter=_overdue(timezone.now())),
        due_today=Count("pk", filter=_due_today()),
        flagged=Count("pk", filter=Q(overdue_flagged_at__isnull=False)),
    )


def awaiting_shop_answer(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Of these cases, those waiting for the shop's answer, the nearest deadline first."""
    return (
        claims.filter(state=ClaimState.AWAITING_SHOP)
        .select_related("shop")
        .order_by(F("shop_due_at").asc(nulls_last=True), "pk")
    )


def thread(claim: Claim, *, staff: bool) -> list[Message]:
    """The case's messages in order, with attachments; internal notes for staff only."""
    messages = claim.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )
    if not staff:
        messages = messages.filter(internal=False)
    return list(messages.order_by("created_at", "pk"))


@dataclass(frozen=True)
class CaseEvent:
    at: datetime
    state: str
    action: str
    who: str


def case_history(claim: Claim, *, staff: bool) -> list[CaseEvent]:
    """Each change of state: when, to what, by which party (staff see the person)."""
    events = (
        Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    entries: list[CaseEvent] = []
    previous = None
    for event in events:
        if event.state == previous:
            continue
        meta = event.pgh_context.metadata if event.pgh_context else {}
        party = meta.get("party", "system")
        who = str(Party(party).label) if party in Party.values else "Trustmark"
        if staff and meta.get("user_email"):
            who = f"{who} · {meta['user_email']}"
        entries.append(
            CaseEvent(
                at=event.pgh_created_at,
                state=str(ClaimState(event.state).label),
                action=meta.get("action", event.pgh_label),
                who=who,
            )
        )
        previous = event.state
    return entries


def recourse_balances() -> list[dict[str, Any]]:
    """What each member still owes for paid claims, per currency (entries not paid back)."""
    return list(
        RecourseEntry.objects.filter(reimbursement__isnull=True)
        .values("member_id", "member__legal_name", "currency")
        .annotate(total=Sum("amount"), claims=Count("pk"))
        .order_by("-total", "member__legal_name")
    )


def open_recourse_entries(limit: int = 200) -> list[RecourseEntry]:
    """The entries not yet paid back, oldest first, with their claim for the table."""
    return list(
        RecourseEntry.objects.filter(reimbursement__isnull=True)
        .select_related("member", "shop", "payout__claim")
        .order_by("created_at", "pk")[:limit]
    )
