"""Twelve months of indicator history for demo shops, one per zone, through store_day.

Called by the demo loader (portal/management/commands/load_demo.py):

    from quality.demo import seed_demo
    seed_demo({"green": shop_a, "yellow": shop_b, "red": shop_c})

Each shop gets a year of daily rows whose figures drift into its zone (the red
shop turns red 20 days before today, so its mark review opens), written in bulk;
the last day goes through `store_day`, so zone states and the alert emails to the
shop's people are real; then the market percentiles and the red shop's case.
Safe to run twice: rows are per shop, indicator and day, and the case per episode.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from certification.models import Shop
from quality.arithmetic import wilson
from quality.definitions import DEFINITIONS, Key
from quality.measures import Measure, today
from quality.models import QualityIndicator
from quality.services import judge, open_due_reviews, rank_day, store_day, thresholds

DAYS = 365
THREE = Decimal("0.001")


def _d(x: float) -> Decimal:
    return Decimal(str(round(x, 3))).quantize(THREE)


def _rate(key: str, p: float, n: int) -> Measure:
    k = max(0, min(n, round(p * n)))
    est, low, high = wilson(k, n)
    scale = DEFINITIONS[key].scale
    return Measure(key, _d(est * scale), _d(low * scale), _d(high * scale), n)


def _profile(zone: str, t: float, rng: random.Random) -> list[Measure]:
    """The measures of one day; t runs from 0 (a year ago) to 1 (today)."""
    wobble = 1 + 0.08 * math.sin(t * 12) + rng.uniform(-0.04, 0.04)
    late = t > 1 - 20 / DAYS  # the last 20 days
    if zone == "green":
        claim, against, hours, in_time, grade = 0.006, 0.25, 18, 0.97, 4.6
    elif zone == "yellow":
        claim = 0.012 + 0.016 * t
        against, hours, in_time, grade = 0.35 + 0.1 * t, 30 + 30 * t, 0.9 - 0.05 * t, 3.9 - 0.5 * t
    else:
        claim = 0.02 + (0.06 if late else 0.025 * t)
        against, hours, in_time = 0.45 + 0.25 * t, 40 + 80 * t, 0.85 - 0.3 * t
        grade = 3.6 - 1.3 * t
    guarantees = 900 if zone != "yellow" else 400
    return [
        _rate(Key.CLAIM_RATE, claim * wobble, guarantees),
        _rate(Key.BUYER_DECISIONS, min(0.95, against * wobble), 24),
        Measure(Key.ANSWER_HOURS, _d(hours * wobble), sample=18),
        _rate(Key.ANSWERED_IN_TIME, min(1.0, in_time / wobble), 30),
        _rate(Key.CLAIMS_RESOLVED, min(1.0, (in_time + 0.05) / wobble), 28),
        Measure(
            Key.RECOURSE_AMOUNT,
            _d(0 if zone == "green" else (120 if zone == "yellow" else 850) * t),
            sample=0 if zone == "green" else 3,
        ),
        Measure(
            Key.RECOURSE_AGE,
            _d(0 if zone == "green" else (12 if zone == "yellow" else 75) * t),
            sample=0 if zone == "green" else 3,
        ),
        Measure(Key.REVIEW_GRADE, _d(max(1.0, min(5.0, grade / wobble**0.3))), sample=140),
        Measure(Key.GRADE_CHANGE, _d(-0.05 if zone == "green" else -0.4 * t), sample=140),
        _rate(Key.UNREPLIED_NEGATIVE, {"green": 0.05, "yellow": 0.2, "red": 0.5}[zone] * t, 20),
        Measure(Key.OVERDUE_FINDINGS, Decimal({"green": 0, "yellow": 0, "red": 1}[zone]), sample=1),
    ]


def seed_demo(shops_by_zone: dict[str, Shop], *, until: date | None = None) -> dict[str, Any]:
    """Write the history; returns {"rows": n, "reviews_opened": n}."""
    last = until or today()
    limits = thresholds()
    rng = random.Random(10)  # noqa: S311 - demo figures, not secrets
    rows = 0
    for zone, shop in shops_by_zone.items():
        history = []
        for i in range(DAYS - 1, 0, -1):
            day = last - timedelta(days=i)
            for m in _profile(zone, 1 - i / (DAYS - 1), rng):
                history.append(
                    QualityIndicator(
                        shop=shop,
                        key=m.key,
                        day=day,
                        value=m.value,
                        low=m.low,
                        high=m.high,
                        sample=m.sample,
                        zone=judge(m, limits[m.key]),
                    )
                )
        QualityIndicator.objects.bulk_create(
            history,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["shop", "key", "day"],
            update_fields=["value", "low", "high", "sample", "zone"],
        )
        # The last day through the one writer: zone states, alerts to the shop's people.
        rows += len(history) + len(store_day(shop, last, _profile(zone, 1.0, rng), limits=limits))
    rank_day(last)
    return {"rows": rows, "reviews_opened": open_due_reviews(last)}
