"""Automatic checks on a new review: they hold it for a person to look at, never remove it.

Each returns the name of the signal that fired; staff see the names in the
moderation queue. The thresholds are deliberately plain so a merchant can be
told why a review waits.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Shop
from reviews.models import Review

BURST_WINDOW = timedelta(hours=24)
BURST_BASELINE_DAYS = 90
BURST_FACTOR = 5
BURST_FLOOR = 10
SAME_DEVICE_DAYS = 7
REPEATED_TEXT_DAYS = 180
REPEATED_TEXT_MIN_CHARS = 30

SIGNALS = {
    "burst": _("Many more reviews than the shop usually gets"),
    "same_device": _("Another review of this shop from the same address or device within days"),
    "shop_domain": _("The author's email is at the shop's own domain"),
    "repeated_text": _("The same text was posted in another review"),
}


def text_digest(text: str) -> str:
    """Digest of the text with case, spacing and punctuation folded, to find copies."""
    folded = re.sub(r"[\W_]+", " ", text.casefold()).strip()
    if len(folded) < REPEATED_TEXT_MIN_CHARS:
        return ""
    return hashlib.sha256(folded.encode()).hexdigest()


def _burst(shop: Shop, now: object) -> bool:
    recent = Review.objects.filter(shop=shop, submitted_at__gte=now - BURST_WINDOW).count()
    if recent < BURST_FLOOR:
        return False
    since = now - timedelta(days=BURST_BASELINE_DAYS)
    baseline = Review.objects.filter(shop=shop, submitted_at__gte=since).count() - recent
    per_day = baseline / BURST_BASELINE_DAYS
    return recent > max(BURST_FLOOR, BURST_FACTOR * per_day)


def _email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def signals_for(
    *, shop: Shop, email: str, fingerprint: str, digest: str, exclude_invitation: int | None = None
) -> list[str]:
    """The checks that fire for a review about to be stored (it is not in the table yet)."""
    now = timezone.now()
    fired: list[str] = []
    if _burst(shop, now):
        fired.append("burst")
    if fingerprint:
        same = Review.objects.filter(
            shop=shop,
            fingerprint=fingerprint,
            submitted_at__gte=now - timedelta(days=SAME_DEVICE_DAYS),
        )
        if exclude_invitation is not None:
            # The shop review and the product reviews of one order share a device.
            same = same.filter(~Q(invitation_id=exclude_invitation) | Q(invitation__isnull=True))
        if same.exists():
            fired.append("same_device")
    domain = _email_domain(email)
    shop_domain = shop.domain.removeprefix("www.")
    if domain and (domain == shop_domain or domain.endswith("." + shop_domain)):
        fired.append("shop_domain")
    if (
        digest
        and Review.objects.filter(
            text_sha256=digest, submitted_at__gte=now - timedelta(days=REPEATED_TEXT_DAYS)
        ).exists()
    ):
        fired.append("repeated_text")
    return fired


def fingerprint_of(ip: str, user_agent: str) -> str:
    """The address and browser of a submission, kept only as a digest."""
    if not ip:
        return ""
    return hashlib.sha256(f"{ip}|{user_agent}".encode()).hexdigest()
