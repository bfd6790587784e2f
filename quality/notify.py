"""Zone-change emails and the public cache of the verification facts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from certification.access import people_with_right
from certification.models import Area, Shop
from core.cache import forget
from notifications.services import queue_email
from quality.definitions import DEFINITIONS
from quality.measures import Measure


def public_key(public_id: str) -> str:
    return f"tm:quality:public:v1:{public_id}"


def invalidate_public(shop_id: int) -> None:
    shop = Shop.objects.filter(pk=shop_id).only("public_id").first()
    if shop is not None:
        forget(public_key(shop.public_id))


def alert_zone_change(shop: Shop, m: Measure, zone: str, day: date, threshold: Any) -> None:
    """One email to the owner and each person with the audits right on the shop.

    Written in the caller's transaction (which holds the zone state's row lock);
    the dedupe key keeps a second writer of the same change from sending twice.
    """
    definition = DEFINITIONS[m.key]
    url = settings.SITE_URL + reverse("quality:shop", args=[shop.public_id])
    for person in people_with_right(shop, Area.AUDITS):
        with translation.override(person.language):
            indicator = str(definition.label)
            advice = str(definition.advice)
        queue_email(
            to=person.email,
            recipient=person,
            template="quality_zone",
            language=person.language,
            context={
                "zone": zone,
                "indicator": indicator,
                "shop": shop.name,
                "domain": shop.display_domain,
                "day": day.isoformat(),
                "value": f"{m.value}{definition.unit}",
                "low": m.low,
                "high": m.high,
                "sample": m.sample,
                "yellow": threshold.yellow.normalize(),
                "red": threshold.red.normalize(),
                "advice": advice,
                "red_days": settings.QUALITY_RED_DAYS,
                "url": url,
            },
            dedupe_key=f"quality:{shop.pk}:{m.key}:{zone}:{day.isoformat()}:{person.pk}",
        )
