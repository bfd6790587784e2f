"""Forget cached API keys and cover caps once a change to what they hold is committed.

Services, the admin and the portal all save through the ORM, so the model
signals see every change; `revoke_api_key` (a compare-and-set UPDATE that
sends no signal) forgets its key itself.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from certification.models import MembershipPlan, Shop
from guarantees.cover import forget_caps
from guarantees.keys import forget_keys
from guarantees.models import ApiKey, CoverCap


def _forget_keys_where(**lookup: Any) -> None:
    def run() -> None:
        forget_keys(*ApiKey.objects.filter(**lookup).values_list("prefix", flat=True))

    transaction.on_commit(run)


@receiver([post_save, post_delete], sender=ApiKey)
def api_key_changed(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    prefix = instance.prefix
    transaction.on_commit(lambda: forget_keys(prefix))


@receiver(post_save, sender=Shop)
def shop_changed(sender: Any, instance: Shop, created: bool = False, **kwargs: Any) -> None:
    if not created:
        _forget_keys_where(shop_id=instance.pk)


@receiver(post_save, sender=MembershipPlan)
def plan_changed(sender: Any, instance: MembershipPlan, **kwargs: Any) -> None:
    _forget_keys_where(shop__plan_id=instance.pk)


@receiver([post_save, post_delete], sender=CoverCap)
def cap_changed(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(forget_caps)
