"""What the member portal's review pages read: the list, the negative queue, one review's history.

Every read starts from reviews.access (the shops the person holds the reviews
right on; moderators see every shop), so a page never writes its own filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reviews.access import review_shops, reviews_visible_to
from reviews.models import VISIBLE_STATES, Review, ReviewState, Subject

# The history's words for the services' actions (core.history.acting).
REVIEW_ACTIONS = {
    "review_submitted": gettext_lazy("Submitted"),
    "review_edited": gettext_lazy("Edited by the author"),
    "review_withdrawn": gettext_lazy("Withdrawn by the author"),
    "review_replied": gettext_lazy("Answered by the shop"),
    "review_reply_edited": gettext_lazy("Answer edited by the shop"),
    "shop_message_sent": gettext_lazy("Private message sent to the author"),
    "criteria_switched": gettext_lazy("Archived: the shop changed its criteria"),
    "review_released": gettext_lazy("Published after a check"),
    "review_rejected": gettext_lazy("Not published after a check"),
    "review_reported": gettext_lazy("Reported"),
    "report_author_asked": gettext_lazy("Author asked about a report"),
    "report_author_answered": gettext_lazy("Author answered about a report"),
    "report_decided": gettext_lazy("Report decided"),
    "report_contested": gettext_lazy("Decision contested"),
    "report_finally_decided": gettext_lazy("Final decision on the report"),
    "review_erased": gettext_lazy("Personal data erased"),
}
PARTIES = {
    "author": gettext_lazy("Author"),
    "shop": gettext_lazy("Shop"),
    "public": gettext_lazy("Someone else"),
    "staff": gettext_lazy("Trustmark"),
}


def portal_reviews(
    user: Any,
    *,
    shop_id: int | None = None,
    subject: str = "",
    stars: int | None = None,
    state: str = "",
    replied: str = "",
    label: str = "",
) -> QuerySet[Review]:
    """The reviews of the shops the person may work, filtered, newest first."""
    reviews = reviews_visible_to(user).filter(erased_at=None)
    if shop_id:
        reviews = reviews.filter(shop_id=shop_id)
    if subject:
        reviews = reviews.filter(subject=subject)
    if stars:
        reviews = reviews.filter(stars=stars)
    if state:
        reviews = reviews.filter(state=state)
    if replied == "yes":
        reviews = reviews.filter(replied_at__isnull=False)
    elif replied == "no":
        reviews = reviews.filter(replied_at__isnull=True)
    if label:
        reviews = reviews.filter(label=label)
    return reviews.select_related("shop", "product").order_by("-submitted_at", "-pk")


def answer_due(published_at: datetime) -> datetime:
    return published_at + timedelta(hours=settings.REVIEW_NEGATIVE_ANSWER_HOURS)


def negative_queue(user: Any, *, shop_id: int | None = None) -> list[Review]:
    """Published reviews of at most 2 stars still without an answer, the oldest first.

    Each carries `answer_due` (publication + REVIEW_NEGATIVE_ANSWER_HOURS) and `overdue`.
    """
    reviews = reviews_visible_to(user).filter(
        state__in=VISIBLE_STATES,
        hidden=False,
        archived_at=None,
        erased_at=None,
        stars__lte=2,
        replied_at__isnull=True,
        published_at__isnull=False,
    )
    if shop_id:
        reviews = reviews.filter(shop_id=shop_id)
    rows = list(reviews.select_related("shop", "product").order_by("published_at", "pk"))
    now = timezone.now()
    for review in rows:
        review.answer_due = answer_due(review.published_at)  # type: ignore[attr-defined]
        review.overdue = review.answer_due < now  # type: ignore[attr-defined]
    return rows


def negative_count(user: Any) -> int:
    return (
        reviews_visible_to(user)
        .filter(
            state__in=VISIBLE_STATES,
            hidden=False,
            archived_at=None,
            erased_at=None,
            stars__lte=2,
            replied_at__isnull=True,
            published_at__isnull=False,
        )
        .count()
    )


@dataclass(frozen=True)
class ReviewEvent:
    at: datetime
    label: str
    state: str
    who: str
    note: str = ""


def _who(meta: dict[str, Any], *, staff: bool) -> str:
    party = meta.get("party", "")
    if meta.get("system") and not party:
        return _("Trustmark (automatic)")
    who = str(PARTIES.get(party, _("Trustmark")))
    if meta.get("user_email") and (staff or party == "shop"):
        who = f"{who} · {meta['user_email']}"
    return who


def review_history(review: Review, *, staff: bool = False) -> list[ReviewEvent]:
    """Each recorded change of the review (state, answer, archive) and each private message.

    The author's email is never shown; the shop's people see which colleague acted.
    """
    from reviews.models.messages import ShopMessage

    entries: list[ReviewEvent] = []
    previous: tuple[str, str, Any] | None = None
    events = (
        Review.pgh_event_model.objects.filter(pgh_obj_id=review.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    for event in events:
        meta = event.pgh_context.metadata if event.pgh_context else {}
        action = meta.get("action", "")
        key = (event.state, event.reply, event.archived_at)
        if key == previous and action not in REVIEW_ACTIONS:
            continue
        previous = key
        label = REVIEW_ACTIONS.get(action) or (
            _("Submitted") if event.pgh_label == "submitted" else _("Changed")
        )
        if action == "review_submitted" and event.state != ReviewState.SUBMITTED:
            label = ReviewState(event.state).label
        entries.append(
            ReviewEvent(
                at=event.pgh_created_at,
                label=str(label),
                state=str(ReviewState(event.state).label),
                who=_who(meta, staff=staff),
                note=meta.get("note", "") if staff else "",
            )
        )
    messages = ShopMessage.objects.filter(review=review).select_related("sender").order_by("pk")
    entries.extend(
        ReviewEvent(
            at=message.sent_at,
            label=str(REVIEW_ACTIONS["shop_message_sent"]),
            state="",
            who=f"{PARTIES['shop']} · {message.sender.email}" if message.sender else "",
        )
        for message in messages
    )
    entries.sort(key=lambda entry: entry.at)
    return entries


@dataclass(frozen=True)
class ReplyVersion:
    at: datetime
    text: str
    who: str


def reply_versions(review: Review) -> list[ReplyVersion]:
    """The shop's earlier answers, oldest first (the current one is on the review itself)."""
    events = (
        Review.pgh_event_model.objects.filter(pgh_obj_id=review.pk)
        .exclude(reply="")
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    versions: list[ReplyVersion] = []
    for event in events:
        if versions and versions[-1].text == event.reply:
            continue
        meta = event.pgh_context.metadata if event.pgh_context else {}
        versions.append(
            ReplyVersion(at=event.pgh_created_at, text=event.reply, who=meta.get("user_email", ""))
        )
    if versions and versions[-1].text == review.reply:
        versions.pop()
    return versions


def subject_label(review: Review) -> str:
    if review.subject == Subject.PRODUCT and review.product is not None:
        return review.product.name
    return str(Subject.SHOP.label)


def shops_for_filter(user: Any, limit: int = 200) -> list[tuple[int, str]]:
    return list(review_shops(user).order_by("domain").values_list("pk", "domain")[:limit])


def open_reports(review: Review) -> QuerySet[Any]:
    return review.reports.order_by("-pk")


def has_right_somewhere(user: Any) -> bool:
    return review_shops(user).exists()


__all__ = [
    "answer_due",
    "has_right_somewhere",
    "negative_count",
    "negative_queue",
    "portal_reviews",
    "reply_versions",
    "review_history",
    "shops_for_filter",
]
