"""Writing reviews: submit (published, or held when a check fires), edit, withdraw, reply.

One path for a review of the shop and of a product. Every change runs in one
transaction, locks what it decides on, writes its history with the actor and
recomputes the rating it moves, so the profile is never stale. Moderation
(held reviews, reports, contests) is in reviews.moderation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from guarantees.models import Guarantee
from reviews import checks, notify, themes
from reviews.access import speaks_for_shop
from reviews.models import (
    CRITERIA,
    Invitation,
    InvitationLine,
    InvitationSource,
    Label,
    Product,
    Review,
    ReviewMode,
    ReviewSettings,
    ReviewState,
    Subject,
)
from reviews.photos import attach_photos, check_photos
from reviews.ratings import refresh_for
from reviews.webhooks import emit_review

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}
UNIQUE_ORDER = (
    "reviews_one_shop_review_per_invitation",
    "reviews_one_shop_review_per_guarantee",
    "reviews_one_review_per_order_line",
)


@dataclass(frozen=True)
class Order:
    """How the author reached the form: an invitation, a guarantee, or the shop's open link."""

    shop_id: int
    order_date: date
    email: str = ""
    name: str = ""
    language: str = "en"
    invitation: Invitation | None = None
    guarantee: Guarantee | None = None

    @classmethod
    def of_invitation(cls, invitation: Invitation) -> Order:
        return cls(
            shop_id=invitation.shop_id,
            order_date=invitation.order_date,
            email=invitation.email,
            name=invitation.name,
            language=invitation.language,
            invitation=invitation,
            guarantee=invitation.guarantee,
        )

    @classmethod
    def of_guarantee(cls, guarantee: Guarantee) -> Order:
        return cls(
            shop_id=guarantee.shop_id,
            order_date=guarantee.purchase_date,
            email=guarantee.buyer_email,
            name=guarantee.buyer_name,
            language=guarantee.language,
            guarantee=guarantee,
        )

    @property
    def label(self) -> str:
        """Verified when bound to an order (guarantee, checkout); invited from an uploaded list."""
        if self.guarantee is not None:
            return Label.VERIFIED
        if self.invitation is not None:
            if self.invitation.source == InvitationSource.UPLOAD:
                return Label.INVITED
            return Label.VERIFIED
        return Label.NOT_VERIFIED

    @property
    def review_until(self) -> date:
        if self.invitation is not None:
            return self.invitation.review_until
        return self.order_date + relativedelta(months=settings.REVIEW_WRITE_MONTHS)


def settings_of(shop_id: int) -> ReviewSettings:
    found = ReviewSettings.objects.filter(shop_id=shop_id).first()
    return found or ReviewSettings(shop_id=shop_id)


def display_name(name: str) -> str:
    """What the profile shows of the author: the first name and the initial of the last."""
    parts = name.split()
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0][:40]
    return f"{parts[0][:40]} {parts[-1][0]}."


def _stars(value: Any, field: str) -> int:
    try:
        stars = int(value)
    except (TypeError, ValueError):
        stars = 0
    if isinstance(value, bool) or not 1 <= stars <= 5 or str(value).strip() != str(stars):
        raise DomainError(_("Give between 1 and 5 stars."), field=field)
    return stars


def check_ratings(ratings: dict[str, Any], mode: str) -> dict[str, int]:
    """The criteria rated, each 1 to 5; only the shop's criteria; at least one."""
    allowed = CRITERIA if mode == ReviewMode.THREE_CRITERIA else ("service",)
    unknown = sorted(set(ratings) - set(CRITERIA))
    if unknown:
        raise DomainError(_("Unknown criterion: %(name)s.") % {"name": unknown[0]}, field="ratings")
    given = {name: value for name, value in ratings.items() if value not in (None, "")}
    for name in given:
        if name not in allowed:
            raise DomainError(_("This shop is rated on service only."), field=name)
    checked = {name: _stars(value, name) for name, value in given.items()}
    if not checked:
        raise DomainError(_("Rate at least one criterion."), field="ratings")
    return checked


def overall_stars(ratings: dict[str, int]) -> int:
    mean = Decimal(sum(ratings.values())) / len(ratings)
    return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_text(value: str, field: str, *, limit: int, required: bool = False) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise DomainError(_("Please write a few words."), field=field)
    if len(text) > limit:
        raise DomainError(
            _("At most %(limit)s characters, please.") % {"limit": limit}, field=field
        )
    return text


def _check_date(experienced_on: date | None, order: Order) -> date:
    day = experienced_on or timezone.localdate()
    if day > timezone.localdate():
        raise DomainError(
            _("The date of the experience cannot be in the future."), field="experienced_on"
        )
    bound = order.invitation is not None or order.guarantee is not None
    if bound and day < order.order_date:
        raise DomainError(
            _("The experience cannot be before the order (%(date)s).")
            % {"date": order.order_date.isoformat()},
            field="experienced_on",
        )
    return day


def _writable(order: Order, shop_settings: ReviewSettings) -> None:
    if not shop_settings.enabled:
        raise Conflict(_("This shop does not collect reviews."))
    if order.invitation is None and order.guarantee is None and not shop_settings.allow_open_link:
        raise NotPermitted(_("This shop accepts reviews only from its buyers' invitations."))
    if order.invitation is not None and not order.invitation.is_usable:
        if order.invitation.state == "reviewed":
            raise Conflict(_("This order has already been reviewed."))
        raise Conflict(_("This invitation can no longer be used."))
    if timezone.localdate() > order.review_until:
        raise Conflict(
            _("Reviews for this order were accepted until %(date)s.")
            % {"date": order.review_until.isoformat()}
        )


def _language(language: str, order: Order) -> str:
    code = (language or "").split("-")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else order.language


def _store(
    review: Review,
    order: Order,
    actor: Any | None,
    pictures: Sequence[tuple[bytes, int, int]] = (),
) -> Review:
    """Insert, run the checks, publish or hold, recompute the rating, queue the alerts."""
    fired = checks.signals_for(
        shop=review.shop,
        email=review.author_email,
        fingerprint=review.fingerprint,
        digest=review.text_sha256,
        exclude_invitation=order.invitation.pk if order.invitation else None,
    )
    try:
        with transaction.atomic(), acting(actor, "review_submitted", party="author"):
            # The criteria cannot switch between the check and the insert.
            current = (
                ReviewSettings.objects.select_for_update(no_key=True)
                .filter(shop_id=review.shop_id)
                .values_list("mode", flat=True)
                .first()
            )
            if current is not None and current != review.mode:
                raise Conflict(_("The shop has just changed how it is rated: please reload."))
            review.save()
            attach_photos(review, pictures)
            if fired:
                review.hold(fired)
            else:
                review.publish()
            themes.tag(review)  # held ones too: moderation publishes them as they are
            review.save()
            if review.subject == Subject.SHOP and order.invitation is not None:
                invitation = Invitation.objects.select_for_update().get(pk=order.invitation.pk)
                if invitation.state in ("scheduled", "sent", "opened"):
                    invitation.mark_reviewed()
                    invitation.save()
            if review.state == ReviewState.PUBLISHED:
                refresh_for(review)
                notify.review_published(review)
                emit_review("review.published", review)
            else:
                notify.review_held(review)
    except IntegrityError as exc:
        if any(name in str(exc) for name in UNIQUE_ORDER):
            raise Conflict(_("This order has already been reviewed.")) from exc
        raise
    return review


def submit_shop_review(
    *,
    order: Order,
    ratings: dict[str, Any],
    comment: str = "",
    language: str = "",
    experienced_on: date | None = None,
    name: str = "",
    email: str = "",
    fingerprint: str = "",
    author: Any | None = None,
) -> Review:
    """The buyer rates the shop on its criteria; one review per order."""
    shop_settings = settings_of(order.shop_id)
    _writable(order, shop_settings)
    checked = check_ratings(ratings, shop_settings.mode)
    comment = check_text(comment, "comment", limit=settings.REVIEW_COMMENT_MAX_CHARS)
    day = _check_date(experienced_on, order)
    review = Review(
        subject=Subject.SHOP,
        shop_id=order.shop_id,
        invitation=order.invitation,
        guarantee=order.guarantee,
        label=order.label,
        mode=shop_settings.mode,
        stars=overall_stars(checked),
        service=checked.get("service"),
        delivery=checked.get("delivery"),
        product_rating=checked.get("product"),
        comment=comment,
        text_sha256=checks.text_digest(comment),
        language=_language(language, order),
        experienced_on=day,
        author_email=(order.email or email).strip().lower(),
        author_name=display_name(name or order.name),
        author=author,
        fingerprint=fingerprint,
        editable_until=order.review_until,
    )
    review.shop = shop_settings.shop
    return _store(review, order, author)


def submit_product_review(
    *,
    order: Order,
    product: Product,
    stars: Any,
    title: str = "",
    text: str = "",
    language: str = "",
    line: InvitationLine | None = None,
    photos: Sequence[UploadedFile] = (),
    name: str = "",
    email: str = "",
    fingerprint: str = "",
    author: Any | None = None,
) -> Review:
    """The buyer rates one item of the order (or, on an open link, one product of the shop)."""
    if product.shop_id != order.shop_id:
        raise DomainError(_("This product is not sold by this shop."), field="sku")
    if line is not None and (order.invitation is None or line.invitation_id != order.invitation.pk):
        raise DomainError(_("This item is not part of this order."), field="sku")
    if order.invitation is not None and line is None:
        raise DomainError(_("This item is not part of this order."), field="sku")
    shop_settings = settings_of(order.shop_id)
    if order.invitation is not None and order.invitation.state == "reviewed":
        # The shop review comes first and marks the invitation reviewed; its items follow.
        if timezone.localdate() > order.review_until:
            raise Conflict(_("This invitation can no longer be used."))
        if not shop_settings.enabled:
            raise Conflict(_("This shop does not collect reviews."))
    else:
        _writable(order, shop_settings)
    checked = _stars(stars, "stars")
    title = check_text(title, "title", limit=settings.REVIEW_TITLE_MAX_CHARS)
    text = check_text(text, "text", limit=settings.REVIEW_COMMENT_MAX_CHARS, required=True)
    pictures = check_photos(photos)
    review = Review(
        subject=Subject.PRODUCT,
        shop=shop_settings.shop,
        product=product,
        invitation=order.invitation,
        invitation_line=line,
        guarantee=order.guarantee,
        label=order.label,
        mode=shop_settings.mode,
        stars=checked,
        title=title,
        comment=text,
        text_sha256=checks.text_digest(text),
        language=_language(language, order),
        experienced_on=timezone.localdate(),
        author_email=(order.email or email).strip().lower(),
        author_name=display_name(name or order.name),
        author=author,
        fingerprint=fingerprint,
        editable_until=order.review_until,
    )
    return _store(review, order, author, pictures)


def record_click(*, invitation: Invitation) -> bool:
    """The buyer followed the invitation's link: the funnel's click, counted once."""
    now = timezone.now()
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.clicked_at is not None:
            return False
        if locked.state in ("scheduled", "sent"):
            locked.open()
        else:
            locked.clicked_at = now
        with acting(None, "invitation_opened", party="author"):
            locked.save()
    invitation.refresh_from_db()
    return True


def _locked(review: Review) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related("shop").get(pk=review.pk)


def edit_review(
    *,
    review: Review,
    ratings: dict[str, Any] | None = None,
    stars: Any = None,
    comment: str | None = None,
    title: str | None = None,
) -> Review:
    """The author changes their review until its order's window closes (through their link)."""
    with transaction.atomic():
        locked = _locked(review)
        if timezone.localdate() > locked.editable_until:
            raise Conflict(_("This review can no longer be edited."))
        if locked.state not in (ReviewState.PUBLISHED, ReviewState.HELD):
            raise Conflict(_("This review cannot be edited now."))
        if locked.subject == Subject.SHOP and ratings is not None:
            checked = check_ratings(ratings, locked.mode)
            locked.service = checked.get("service")
            locked.delivery = checked.get("delivery")
            locked.product_rating = checked.get("product")
            locked.stars = overall_stars(checked)
        if locked.subject == Subject.PRODUCT and stars is not None:
            locked.stars = _stars(stars, "stars")
        if comment is not None:
            locked.comment = check_text(
                comment,
                "comment" if locked.subject == Subject.SHOP else "text",
                limit=settings.REVIEW_COMMENT_MAX_CHARS,
                required=locked.subject == Subject.PRODUCT,
            )
            locked.text_sha256 = checks.text_digest(locked.comment)
        if title is not None and locked.subject == Subject.PRODUCT:
            locked.title = check_text(title, "title", limit=settings.REVIEW_TITLE_MAX_CHARS)
        themes.tag(locked)
        locked.edited_at = timezone.now()
        with acting(None, "review_edited", party="author"):
            locked.save()
        if locked.state == ReviewState.PUBLISHED:
            refresh_for(locked)
    return locked


def withdraw_review(*, review: Review) -> Review:
    """The author takes their review down, at any time; it is kept, no longer shown or counted."""
    with transaction.atomic():
        locked = _locked(review)
        if locked.state == ReviewState.WITHDRAWN:
            return locked
        if locked.state not in ReviewState.values or locked.state in (
            ReviewState.REJECTED,
            ReviewState.REMOVED,
        ):
            raise Conflict(_("This review is no longer shown."))
        locked.withdraw()
        with acting(None, "review_withdrawn", party="author"):
            locked.save()
        refresh_for(locked)
    return locked


def reply(*, review: Review, actor: Any, text: str) -> Review:
    """The shop answers a review publicly, once; later calls edit the answer (with history)."""
    text = check_text(text, "reply", limit=settings.REVIEW_COMMENT_MAX_CHARS, required=True)
    with transaction.atomic():
        locked = _locked(review)
        if not speaks_for_shop(actor, locked.shop):
            raise NotPermitted(_("You may not answer reviews of this shop."))
        if not locked.is_visible:
            raise Conflict(_("Only a published review can be answered."))
        now = timezone.now()
        action = "review_reply_edited" if locked.replied_at else "review_replied"
        if locked.replied_at:
            locked.reply_edited_at = now
        else:
            locked.replied_at = now
        locked.reply, locked.replied_by = text, actor
        with acting(actor, action, party="shop"):
            locked.save()
        if action == "review_replied":
            notify.shop_replied(locked)
    return locked
