"""What a member's people change about their shops' reviews: settings, criteria, alerts, messages.

Each function takes the acting person explicitly, checks the right itself
(the view, the API and the admin all call it), runs in one transaction and
writes its history through core.history.acting.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, user_has_role
from certification.access import is_owner
from certification.models import Shop
from certification.models.members import Sells, TeamMembership
from certification.verification import invalidate_shop
from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from reviews import notify
from reviews.access import may_work_shop
from reviews.models import AlertPreference, Review, ReviewMode, ReviewSettings, ShopMessage, Subject
from reviews.models.profiles import StarBucket
from reviews.ratings import refresh_shop_rating
from reviews.services import check_text
from reviews.widgets import forget_products_of, forget_shop

# A shop may write privately to one author at most this often, and this many times in all.
MESSAGE_INTERVAL = timedelta(hours=getattr(settings, "REVIEW_SHOP_MESSAGE_INTERVAL_HOURS", 24))
MESSAGES_PER_REVIEW = getattr(settings, "REVIEW_SHOP_MESSAGES_PER_REVIEW", 3)
MESSAGE_MAX_CHARS = 2000

EDITABLE_SETTINGS = (
    "enabled",
    "allow_open_link",
    "invite_after_guarantee",
    "invite_delay_days",
    "reminder_days",
    "logo_url",
)


def _require_shop_right(actor: Any, shop: Shop) -> None:
    if not may_work_shop(actor, shop):
        raise NotPermitted(_("You need the reviews right on this shop."))


def _is_shop_person(actor: Any, shop: Shop) -> bool:
    """One of the member's people holding the reviews right on the shop (owners hold it)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    member_of = TeamMembership.objects.filter(user=actor, member_id=shop.member_id).exists()
    return member_of and may_work_shop(actor, shop)


def may_edit_settings(actor: Any, shop: Shop) -> bool:
    """The member's people with the reviews right (owners hold it), and staff administrators."""
    return user_has_role(actor, Role.ADMINISTRATOR) or _is_shop_person(actor, shop)


def default_mode(shop: Shop) -> str:
    """A shop selling services is rated on service only; one selling goods on three criteria."""
    if shop.sells == Sells.SERVICES:
        return ReviewMode.ONE_CRITERION
    return ReviewMode.THREE_CRITERIA


def settings_for_update(shop: Shop) -> ReviewSettings:
    """The shop's settings row, created with the default criteria on first use, locked."""
    ReviewSettings.objects.get_or_create(shop=shop, defaults={"mode": default_mode(shop)})
    return ReviewSettings.objects.select_for_update().select_related("shop").get(shop=shop)


def current_settings(shop: Shop) -> ReviewSettings:
    """The shop's settings as stored, or unsaved defaults (with the default criteria)."""
    found = ReviewSettings.objects.filter(shop=shop).first()
    return found or ReviewSettings(shop=shop, mode=default_mode(shop))


def _check_settings(values: dict[str, Any]) -> dict[str, Any]:
    delay = values.get("invite_delay_days")
    if delay is not None and not 0 <= int(delay) <= 90:
        raise DomainError(_("Between 0 and 90 days, please."), field="invite_delay_days")
    reminder = values.get("reminder_days")
    if reminder is not None and not 1 <= int(reminder) <= 30:
        raise DomainError(
            _("Between 1 and 30 days, or empty for no reminder."), field="reminder_days"
        )
    logo = values.get("logo_url") or ""
    if logo and not logo.startswith("https://"):
        raise DomainError(_("The logo's address must start with https://."), field="logo_url")
    return values


def update_settings(*, shop: Shop, actor: Any, **values: Any) -> ReviewSettings:
    """Reviews on or off and how invitations go out; the criteria change only by switch_mode."""
    unknown = set(values) - set(EDITABLE_SETTINGS)
    if unknown:
        raise DomainError(_("Unknown setting: %(name)s.") % {"name": sorted(unknown)[0]})
    if not may_edit_settings(actor, shop):
        raise NotPermitted(_("You need the reviews right on this shop."))
    _check_settings(values)
    with transaction.atomic():
        row = settings_for_update(shop)
        for name, value in values.items():
            setattr(row, name, value)
        with acting(actor, "review_settings_changed", party="shop"):
            row.save()
        transaction.on_commit(lambda: forget_public_answers(shop.pk))
    return row


def forget_public_answers(shop_id: int) -> None:
    """Reviews switched on or off: the badge, the verification page and the widgets change."""
    invalidate_shop(shop_id)
    forget_shop(shop_id)
    forget_products_of(shop_id)


def switch_mode(*, shop: Shop, actor: Any, mode: str) -> ReviewSettings:
    """The owner changes the criteria: the collected shop reviews and the profile start afresh.

    Every shop review not yet archived gets `archived_at` (kept, not deleted,
    no longer shown or counted); the profile is recomputed in the same
    transaction.
    """
    if mode not in ReviewMode.values:
        raise DomainError(_("Choose the criteria."), field="mode")
    if not is_owner(actor, shop.member):
        raise NotPermitted(_("Only the member's owner may change the criteria."))
    with transaction.atomic():
        row = settings_for_update(shop)
        if row.mode == mode:
            raise Conflict(_("The shop already uses these criteria."))
        now = timezone.now()
        with acting(actor, "criteria_switched", party="shop", note=f"{row.mode} → {mode}"):
            # One UPDATE; the history triggers still write one event per review, with the actor.
            Review.objects.filter(shop=shop, subject=Subject.SHOP, archived_at=None).update(
                archived_at=now, updated_at=now
            )
            row.mode, row.mode_changed_at = mode, now
            row.save()
        refresh_shop_rating(shop.pk)
    return row


def set_alerts(*, actor: Any, shop: Shop, buckets: list[str]) -> AlertPreference | None:
    """Which new reviews of the shop alert this person by email (none: the preference goes)."""
    _require_shop_right(actor, shop)
    chosen = sorted(set(buckets))
    if any(bucket not in StarBucket.values for bucket in chosen):
        raise DomainError(_("Choose among the star groups shown."), field="buckets")
    with transaction.atomic():
        if not chosen:
            AlertPreference.objects.filter(user=actor, shop=shop).delete()
            return None
        preference, _created = AlertPreference.objects.update_or_create(
            user=actor, shop=shop, defaults={"buckets": chosen}
        )
    return preference


def message_allowed_at(review: Review) -> Any:
    """When the shop may next write to this author (None: now), or False: no more messages."""
    sent = list(
        ShopMessage.objects.filter(review=review)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)[:MESSAGES_PER_REVIEW]
    )
    if len(sent) >= MESSAGES_PER_REVIEW:
        return False
    if sent and sent[0] + MESSAGE_INTERVAL > timezone.now():
        return sent[0] + MESSAGE_INTERVAL
    return None


def message_author(*, review: Review, actor: Any, text: str) -> ShopMessage:
    """The shop writes privately to the author; Trustmark mails it, the address stays hidden.

    At most one message a day and MESSAGES_PER_REVIEW in all per review; the
    row records who sent it.
    """
    text = check_text(text, "text", limit=MESSAGE_MAX_CHARS, required=True)
    with transaction.atomic():
        locked = (
            Review.objects.select_for_update(of=("self",))
            .select_related("shop", "product")
            .get(pk=review.pk)
        )
        if not _is_shop_person(actor, locked.shop):
            raise NotPermitted(_("Only the shop's people may write to its reviews' authors."))
        if not locked.author_email or locked.erased_at:
            raise Conflict(_("The author of this review cannot be reached."))
        allowed = message_allowed_at(locked)
        if allowed is False:
            raise Conflict(
                _("You have already written %(count)s times to this author.")
                % {"count": MESSAGES_PER_REVIEW}
            )
        if allowed is not None:
            raise Conflict(
                _("You can write to this author again after %(when)s.")
                % {"when": timezone.localtime(allowed).strftime("%Y-%m-%d %H:%M")}
            )
        with acting(actor, "shop_message_sent", party="shop"):
            message = ShopMessage.objects.create(review=locked, sender=actor, text=text)
        notify.tell_author(locked, "shop_message", message=text)
    return message
