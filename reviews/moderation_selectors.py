"""Reads for moderation: the queue's tabs and counts, a report's history, the public figures.

Each list is one query however many rows it holds; the figures of "how we check
reviews" are one aggregate query per scope (one shop, all shops).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reviews.models import Decision, Report, ReportReason, ReportState, Review, ReviewState

# Staff aim to take each step on a report within this many days.
STEP_TARGET_DAYS = 7

TABS = (
    ("held", ReviewState.HELD.label),
    (ReportState.OPEN.value, ReportState.OPEN.label),
    (ReportState.AUTHOR_ASKED.value, ReportState.AUTHOR_ASKED.label),
    (ReportState.READY.value, ReportState.READY.label),
    (ReportState.CONTESTED.value, ReportState.CONTESTED.label),
)
TAB_NAMES = {name for name, _label in TABS}


def queue_counts() -> dict[str, int]:
    """How many held reviews and reports wait in each tab: two queries."""
    counts = dict.fromkeys(TAB_NAMES, 0)
    counts["held"] = Review.objects.filter(state=ReviewState.HELD).count()
    for row in (
        Report.objects.filter(state__in=list(TAB_NAMES - {"held"}))
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["state"]] = row["n"]
    return counts


def held_reviews() -> QuerySet[Review]:
    """Reviews an automatic check held, oldest first."""
    return (
        Review.objects.filter(state=ReviewState.HELD)
        .select_related("shop", "product")
        .order_by("submitted_at", "pk")
    )


def due_of(report: Report) -> datetime | None:
    """When staff (or the author) should have taken the next step."""
    if report.state == ReportState.AUTHOR_ASKED:
        return report.author_due_at
    if report.state == ReportState.CONTESTED and report.contested_at:
        return report.contested_at + timedelta(days=STEP_TARGET_DAYS)
    if report.state == ReportState.READY and report.author_due_at:
        return min(report.author_due_at, timezone.now()) + timedelta(days=STEP_TARGET_DAYS)
    if report.state in (ReportState.OPEN, ReportState.READY):
        return report.created_at + timedelta(days=STEP_TARGET_DAYS)
    return None


def reports_in(state: str) -> QuerySet[Report]:
    """Reports in one state, the oldest first (by deadline when waiting for the author)."""
    order = {
        ReportState.AUTHOR_ASKED: ("author_due_at", "pk"),
        ReportState.CONTESTED: ("contested_at", "pk"),
    }.get(state, ("created_at", "pk"))
    return (
        Report.objects.filter(state=state)
        .select_related("review__shop", "review__product", "decided_by")
        .order_by(*order)
    )


def with_due(reports: list[Report]) -> list[Report]:
    now = timezone.now()
    for report in reports:
        report.due = due_of(report)
        report.overdue = report.due is not None and report.due < now
    return reports


def get_report(pk: int) -> Report:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Report.objects.select_related(
            "review__shop", "review__product", "decided_by", "final_decided_by", "reported_by"
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class Step:
    at: datetime
    what: str
    who: str
    note: str


ACTIONS = {
    "review_submitted": gettext_lazy("Submitted"),
    "review_released": gettext_lazy("Published by a moderator"),
    "review_rejected": gettext_lazy("Rejected by a moderator"),
    "review_reported": gettext_lazy("Reported"),
    "report_author_asked": gettext_lazy("Author asked to respond"),
    "report_author_answered": gettext_lazy("Author answered"),
    "report_author_silent": gettext_lazy("Author did not answer in time"),
    "report_decided": gettext_lazy("Decided"),
    "report_contested": gettext_lazy("Contested"),
    "report_finally_decided": gettext_lazy("Finally decided"),
    "review_edited": gettext_lazy("Edited by the author"),
    "review_withdrawn": gettext_lazy("Withdrawn by the author"),
    "review_replied": gettext_lazy("Answered by the shop"),
    "review_reply_edited": gettext_lazy("Answer edited by the shop"),
    "review_erased": gettext_lazy("Words erased after the keeping period"),
}


def _who(meta: dict[str, Any], staff: bool) -> str:
    party = meta.get("party")
    names = {
        "author": _("The author"),
        "shop": _("The shop"),
        "staff": _("Trustmark"),
        "public": _("Someone else"),
    }
    who = str(names.get(party, _("Trustmark (automatic)") if meta.get("system") else ""))
    if staff and meta.get("user_email"):
        who = f"{who} · {meta['user_email']}" if who else meta["user_email"]
    return who


def review_history(review: Review, *, staff: bool = True) -> list[Step]:
    """Every recorded step of the review and its reports, oldest first: two queries."""
    rows: list[tuple[Any, str]] = []
    review_events = (
        Review.pgh_event_model.objects.filter(pgh_obj_id=review.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    report_events = (
        Report.pgh_event_model.objects.filter(pgh_obj__review_id=review.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    seen: set[Any] = set()
    for event in [*review_events, *report_events]:
        meta = event.pgh_context.metadata if event.pgh_context else {}
        action = meta.get("action", event.pgh_label)
        key = (event.pgh_context_id, action) if event.pgh_context_id else (event.pk, action)
        if key in seen:
            continue
        seen.add(key)
        rows.append((event, action))
    rows.sort(key=lambda row: row[0].pgh_created_at)
    steps = []
    for event, action in rows:
        meta = event.pgh_context.metadata if event.pgh_context else {}
        steps.append(
            Step(
                at=event.pgh_created_at,
                what=str(ACTIONS.get(action, action)),
                who=_who(meta, staff),
                note=meta.get("note", "") if staff else "",
            )
        )
    return steps


# -- how we check reviews: the public figures ----------------------------------------------


def removal_figures(shop_id: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The last 12 months in one aggregate query: reviews published, removed (by reason),
    partly removed, rejected after an automatic check, reported and kept."""
    now = now or timezone.now()
    since = now - relativedelta(months=12)
    rows = Review.objects.filter(archived_at=None)
    if shop_id is not None:
        rows = rows.filter(shop_id=shop_id)
    removed = Q(state=ReviewState.REMOVED, removed_at__gte=since)
    partly = Q(state=ReviewState.PARTLY_REMOVED, redacted_at__gte=since)
    kept = Exists(
        Report.objects.filter(
            review_id=OuterRef("pk"), decided_at__gte=since, state__in=["decided", "final"]
        ).filter(Q(final_decision=Decision.STAYS) | Q(final_decision="", decision=Decision.STAYS))
    )
    by_reason = {
        f"reason_{reason.value}": Count("pk", filter=(removed | partly) & Q(removal_reason=reason))
        for reason in ReportReason
    }
    figures = rows.aggregate(
        published=Count("pk", filter=Q(published_at__gte=since)),
        removed=Count("pk", filter=removed),
        partly_removed=Count("pk", filter=partly),
        rejected=Count("pk", filter=Q(state=ReviewState.REJECTED, submitted_at__gte=since)),
        kept=Count("pk", filter=kept),
        **by_reason,
    )
    figures["by_reason"] = {
        reason.value: figures.pop(f"reason_{reason.value}") for reason in ReportReason
    }
    figures["since"] = since
    return figures


def reason_rows(
    everyone: dict[str, Any], shop: dict[str, Any] | None
) -> list[tuple[str, Any, int, int]]:
    """(code, label, this shop's count, all shops' count) for each reason that removed any."""
    rows = []
    for reason in ReportReason:
        mine = shop["by_reason"][reason.value] if shop else 0
        total = everyone["by_reason"][reason.value]
        if mine or total:
            rows.append((reason.value, reason.label, mine, total))
    return rows
