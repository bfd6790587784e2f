"""Building blocks for moderation tests: moderators, a shop person with the reviews right,
a report, and the emails each side received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.roles import Role
from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from notifications.models import OutgoingMessage
from reviews import moderation
from reviews.models import Report
from tests.factories import staff_user
from tests.reviews.helpers import reviews_on


@dataclass
class Cast:
    shop: Any
    owner: Any  # alice, owner of the member: every right
    employee: Any  # bob, granted the reviews right on this shop
    outsider: Any  # charlie, another member
    moderator: Any
    second_moderator: Any


def make_cast(world) -> Cast:
    """alice's shop collecting reviews, bob with the reviews right on it, two moderators.

    The shop speaks English, so its people's emails can be read by their English subjects."""
    world.shop.language = "en"
    world.shop.save(update_fields=["language"])
    reviews_on(world.shop)
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, world.shop.pk), Right(Area.REVIEWS, world.shop.pk)},
    )
    return Cast(
        shop=world.shop,
        owner=world.alice,
        employee=world.bob,
        outsider=world.charlie,
        moderator=staff_user(Role.MODERATOR, email="mod1@trustmark.example"),
        second_moderator=staff_user(Role.MODERATOR, email="mod2@trustmark.example"),
    )


def report(review, by, reason="false_fact", text="We have no such order.", **kwargs) -> Report:
    return moderation.report_review(
        review=review, reporter=by, reason=reason, text=text, good_faith=True, **kwargs
    )


def emails_to(address: str) -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(to_email=address).order_by("pk"))


def subjects_to(address: str) -> list[str]:
    return [m.subject for m in emails_to(address)]
