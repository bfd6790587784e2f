"""A review of a shop or of one of its products: one model, one workflow for both.

The text, title and author are not copied into the history tables, so that
erasing a removed review a year later erases it everywhere; states, ratings
and dates are.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition

from certification.models import Shop
from certification.models.documents import private_storage
from guarantees.models import Guarantee
from reviews.models.invitations import Invitation, InvitationLine
from reviews.models.products import Product
from reviews.models.profiles import ReviewMode

CRITERIA = ("service", "delivery", "product")


class Subject(models.TextChoices):
    SHOP = "shop", _("Shop")
    PRODUCT = "product", _("Product")


class Label(models.TextChoices):
    VERIFIED = "verified", _("Verified purchase")
    INVITED = "invited", _("Invited")
    NOT_VERIFIED = "not_verified", _("Not verified")


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    HELD = "held", _("Held for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    REPORTED = "reported", _("Reported")
    REMOVED = "removed", _("Removed")
    PARTLY_REMOVED = "partly_removed", _("Partly removed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Shown on the profile and counted in the grade (a reported review stays unless hidden at once).
VISIBLE_STATES = [ReviewState.PUBLISHED, ReviewState.REPORTED, ReviewState.PARTLY_REMOVED]
REPORTABLE_STATES = [ReviewState.PUBLISHED, ReviewState.PARTLY_REMOVED]
WITHDRAWABLE_STATES = [
    ReviewState.SUBMITTED,
    ReviewState.HELD,
    ReviewState.PUBLISHED,
    ReviewState.REPORTED,
    ReviewState.PARTLY_REMOVED,
]


def _stars(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1, f"{field}__lte": 5})


def _state_after_report(review: Review) -> str:
    return ReviewState.PARTLY_REMOVED if review.redacted_at else ReviewState.PUBLISHED


@pghistory.track(
    pghistory.InsertEvent("submitted"),
    pghistory.UpdateEvent("changed"),
    exclude=["title", "comment", "redacted_comment", "author_email", "author_name"],
)
class Review(ConcurrentTransitionMixin, models.Model):
    subject = models.CharField(_("about"), max_length=8, choices=Subject.choices)
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="reviews")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    invitation_line = models.ForeignKey(
        InvitationLine, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    guarantee = models.ForeignKey(
        Guarantee, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    label = models.CharField(_("label"), max_length=16, choices=Label.choices)
    mode = models.CharField(_("criteria"), max_length=8, choices=ReviewMode.choices)
    stars = models.PositiveSmallIntegerField(_("stars"))
    service = models.PositiveSmallIntegerField(_("service"), null=True, blank=True)
    delivery = models.PositiveSmallIntegerField(_("delivery"), null=True, blank=True)
    product_rating = models.PositiveSmallIntegerField(_("product"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    redacted_comment = models.TextField(_("comment as shown after a partial removal"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    experienced_on = models.DateField(_("date of the experience"))
    author_email = models.EmailField(_("author's email"), blank=True)
    author_name = models.CharField(_("author's name"), max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
    )
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    text_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    state = FSMField(
        _("status"),
        max_length=16,
        default=ReviewState.SUBMITTED,
        choices=ReviewState.choices,
        protected=True,
    )
    signals = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    themes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    hidden = models.BooleanField(_("hidden while checked"), default=False)
    rejection_reason = models.TextField(_("why it was not published"), blank=True)
    removal_reason = models.CharField(_("removed for"), max_length=32, blank=True)
    removal_note = models.TextField(_("shown in place of the review"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    editable_until = models.DateField(_("editable until"))
    redacted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    archived_at = models.DateTimeField(
        _("archived (criteria switched)"), null=True, blank=True, db_index=True
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    reply = models.TextField(_("shop's reply"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    reply_edited_at = models.DateTimeField(_("reply edited"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(subject="shop", archived_at__isnull=True),
                name="reviews_one_shop_review_per_invitation",
                violation_error_message=_("This order has already been reviewed."),
            ),
            models.UniqueConstraint(
                fields=["guarantee"],
                condition=Q(subject="shop", archived_at__isnull=True),
                name="reviews_one_shop_review_per_guarantee",
                violation_error_message=_("This order has already been reviewed."),
            ),
            models.UniqueConstraint(
                fields=["invitation_line"],
                condition=Q(archived_at__isnull=True),
                name="reviews_one_review_per_order_line",
                violation_error_message=_("This item has already been reviewed."),
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="reviews_stars_between_1_and_5"
            ),
            models.CheckConstraint(
                condition=_stars("service") & _stars("delivery") & _stars("product_rating"),
                name="reviews_criteria_between_1_and_5",
            ),
            models.CheckConstraint(
                condition=(
                    Q(subject="shop", product__isnull=True)
                    & (
                        Q(service__isnull=False)
                        | Q(delivery__isnull=False)
                        | Q(product_rating__isnull=False)
                    )
                )
                | (
                    Q(subject="product", product__isnull=False)
                    & Q(service__isnull=True, delivery__isnull=True, product_rating__isnull=True)
                ),
                name="reviews_subject_matches_ratings",
            ),
            models.CheckConstraint(
                condition=~Q(label="verified")
                | Q(invitation__isnull=False)
                | Q(guarantee__isnull=False),
                name="reviews_verified_has_an_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["shop", "-submitted_at"],
                condition=Q(
                    subject="shop",
                    archived_at__isnull=True,
                    state__in=["published", "reported", "partly_removed"],
                ),
                name="review_shop_visible_idx",
            ),
            models.Index(
                fields=["product", "-submitted_at"],
                condition=Q(
                    subject="product", state__in=["published", "reported", "partly_removed"]
                ),
                name="review_product_visible_idx",
            ),
            models.Index(fields=["state", "submitted_at"], name="review_state_idx"),
        ]

    def __str__(self) -> str:
        about = self.product.sku if self.subject == Subject.PRODUCT and self.product else self.shop
        return f"{about} · {self.stars}★"

    @property
    def ratings(self) -> dict[str, int]:
        """Criterion name → stars, only the criteria rated (shop reviews) or the product's."""
        if self.subject == Subject.PRODUCT:
            return {"product": self.stars}
        values = {
            "service": self.service,
            "delivery": self.delivery,
            "product": self.product_rating,
        }
        return {name: value for name, value in values.items() if value is not None}

    @property
    def is_visible(self) -> bool:
        return self.state in VISIBLE_STATES and not self.hidden and self.archived_at is None

    @property
    def shown_comment(self) -> str:
        return self.redacted_comment if self.redacted_at else self.comment

    @transition(
        field=state, source=[ReviewState.SUBMITTED, ReviewState.HELD], target=ReviewState.PUBLISHED
    )
    def publish(self) -> None:
        self.published_at = timezone.now()

    @transition(field=state, source=ReviewState.SUBMITTED, target=ReviewState.HELD)
    def hold(self, signals: list[str]) -> None:
        self.signals = signals

    @transition(field=state, source=ReviewState.HELD, target=ReviewState.REJECTED)
    def reject(self, reason: str) -> None:
        self.rejection_reason = reason

    @transition(field=state, source=REPORTABLE_STATES, target=ReviewState.REPORTED)
    def report(self, hide: bool) -> None:
        self.hidden = hide

    @transition(
        field=state,
        source=ReviewState.REPORTED,
        target=GET_STATE(
            _state_after_report, states=[ReviewState.PUBLISHED, ReviewState.PARTLY_REMOVED]
        ),
    )
    def keep(self) -> None:
        self.hidden = False

    @transition(field=state, source=ReviewState.REPORTED, target=ReviewState.REMOVED)
    def remove(self, reason: str, note: str) -> None:
        self.removal_reason, self.removal_note = reason, note
        self.removed_at = timezone.now()
        self.hidden = False

    @transition(field=state, source=ReviewState.REPORTED, target=ReviewState.PARTLY_REMOVED)
    def remove_part(self, reason: str, redacted_comment: str) -> None:
        self.removal_reason = reason
        self.redacted_comment = redacted_comment
        self.redacted_at = timezone.now()
        self.hidden = False

    @transition(
        field=state,
        source=[ReviewState.REMOVED, ReviewState.PARTLY_REMOVED],
        target=ReviewState.PUBLISHED,
    )
    def reinstate(self) -> None:
        self.removal_reason = self.removal_note = self.redacted_comment = ""
        self.removed_at = self.redacted_at = None

    @transition(field=state, source=WITHDRAWABLE_STATES, target=ReviewState.WITHDRAWN)
    def withdraw(self) -> None:
        self.withdrawn_at = timezone.now()
        self.hidden = False


def photo_path(instance: ReviewPhoto, filename: str) -> str:
    return f"reviews/{instance.review_id}/{instance.sha256[:16]}.{filename.rsplit('.', 1)[-1]}"


class ReviewPhoto(models.Model):
    """A product review's photo: content-checked, re-encoded without metadata, kept private."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(storage=private_storage, upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.pk}"
