"""Moderation upkeep: shops that report mostly negative reviews, and erasure after a year.

After each decision on a shop's report, the shop's reporting is weighed: the
first time it reports mostly negative reviews its owner is warned, the second
time its profile carries a public note. At night, removed, rejected and
withdrawn reviews past the keeping period lose their words and personal data;
their rows and states stay for the figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from certification.models import TeamMembership, TeamRole
from core.history import acting
from notifications.services import queue_email
from reviews import notify
from reviews.models import Report, Review, ReviewSettings, ReviewState
from reviews.models.reports import Reporter

# A shop that reports mostly negative reviews: at least this many reports in 12 months...
NEGATIVE_MIN_REPORTS = 5
# ...of which at least this share were about reviews of NEGATIVE_STARS or fewer.
NEGATIVE_SHARE = 0.8
NEGATIVE_STARS = 2


# -- shops that report mostly negative reviews ---------------------------------------------


def negative_reporting(shop_id: int, since: datetime) -> tuple[int, int]:
    """(reports by the shop since, of which about reviews with 2 stars or fewer) — one query."""
    figures = Report.objects.filter(
        review__shop_id=shop_id, reporter=Reporter.SHOP, created_at__gte=since
    ).aggregate(
        total=Count("review", distinct=True),
        negative=Count("review", distinct=True, filter=Q(review__stars__lte=NEGATIVE_STARS)),
    )
    return figures["total"], figures["negative"]


def check_negative_reporting(*, shop_id: int) -> str:
    """After a decision: warn the owner the first time, add a public note the second time."""
    now = timezone.now()
    shop_settings, _created = ReviewSettings.objects.select_for_update().get_or_create(
        shop_id=shop_id
    )
    if shop_settings.public_note_since is not None:
        return ""
    since = now - relativedelta(months=12)
    if shop_settings.negative_report_warned_at is not None:
        since = max(since, shop_settings.negative_report_warned_at)
    total, negative = negative_reporting(shop_id, since)
    if total < NEGATIVE_MIN_REPORTS or negative < NEGATIVE_SHARE * total:
        return ""
    shop_settings.negative_report_warnings += 1
    if shop_settings.negative_report_warned_at is None:
        shop_settings.negative_report_warned_at = now
        outcome = "warning"
    else:
        shop_settings.public_note_since = now
        outcome = "public_note"
    with acting(None, f"reviews_negative_reporting_{outcome}", note=f"{negative}/{total}"):
        shop_settings.save()
    shop = shop_settings.shop
    owner = (
        TeamMembership.objects.filter(member_id=shop.member_id, role=TeamRole.OWNER)
        .select_related("user")
        .first()
    )
    if owner is not None:
        queue_email(
            to=owner.user.email,
            recipient=owner.user,
            template="review_changed",
            language=notify._language(shop.language),
            context={
                "event": f"negative_reports_{outcome}",
                "party": "shop",
                "shop": shop.name,
                "domain": shop.display_domain,
                "total": total,
                "negative": negative,
                "url": settings.SITE_URL + reverse("review_checks:how_we_check"),
            },
        )
    return outcome


# -- erasure ------------------------------------------------------------------------------


def erase_expired(now: datetime | None = None) -> int:
    """Removed, rejected and withdrawn reviews past the keeping period lose their words.

    The comment, title, redacted text, author's email and name, photos, the report's text,
    evidence and the author's answer are erased; the rows and states stay for the figures.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REVIEW_KEEP_REMOVED_DAYS)
    due = Review.objects.filter(erased_at=None).filter(
        Q(state=ReviewState.REMOVED, removed_at__lt=cutoff)
        | Q(state=ReviewState.WITHDRAWN, withdrawn_at__lt=cutoff)
        | Q(state=ReviewState.REJECTED, updated_at__lt=cutoff)
    )
    erased = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            review = (
                Review.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, erased_at=None)
                .first()
            )
            if review is None:
                continue
            _erase(review, now)
            erased += 1
    return erased


def _erase(review: Review, now: datetime) -> None:
    for photo in review.photos.all():
        photo.file.delete(save=False)
    review.photos.all().delete()
    for report in Report.objects.select_for_update().filter(review=review):
        if report.evidence:
            report.evidence.delete(save=False)
        report.evidence = ""
        report.text = report.author_response = report.contest_text = report.author_question = ""
        report.reporter_email = ""
        with acting(None, "review_erased"):
            report.save()
    review.comment = review.title = review.redacted_comment = review.removal_note = ""
    review.author_email = review.author_name = review.fingerprint = review.text_sha256 = ""
    review.reply = review.rejection_reason = ""
    review.erased_at = now
    with acting(None, "review_erased"):
        review.save()
