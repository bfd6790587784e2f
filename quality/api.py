"""GET /api/v1/shops/{public_id}/indicators: a shop's indicators for its people with the right.

Read with the portal session: the owner, and employees holding the audits or the
reviews right on the shop (see quality/access.py), and certifier staff. Anyone
else, signed in or not, gets a 404 that does not confirm the shop exists.
"""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from quality.access import get_shop_for_quality
from quality.definitions import DEFINITIONS
from quality.selectors import latest_rows, series

router = Router(tags=["quality indicators"])


class IndicatorOut(Schema):
    key: str
    value: float | None
    low: float | None
    high: float | None
    sample: int
    zone: str
    series: list[tuple[datetime.date, float | None]]


class IndicatorsOut(Schema):
    indicators: list[IndicatorOut]


class NotFoundOut(Schema):
    detail: str
    field: str | None = None
    code: str


def _f(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@router.get(
    "/shops/{public_id}/indicators",
    response={200: IndicatorsOut, 404: NotFoundOut},
    auth=None,
    summary="A shop's quality indicators",
    description=(
        "Each indicator's latest value, 95% interval (rates only), sample and zone "
        "(`green`, `yellow`, `red` or `insufficient`), with 12 months of daily values. "
        "For the shop's owner and people with the audits or reviews right on it (portal "
        "session); anyone else gets 404."
    ),
)
def shop_indicators(request: HttpRequest, public_id: str):  # type: ignore[no-untyped-def]
    try:
        shop = get_shop_for_quality(request.user, public_id)
    except Http404:
        return 404, {"detail": "No such shop.", "field": None, "code": "not_found"}
    latest = latest_rows([shop.pk]).get(shop.pk, {})
    history = series(shop.pk)
    indicators = []
    for key in DEFINITIONS:
        row = latest.get(key)
        indicators.append(
            {
                "key": key,
                "value": _f(row.value) if row else None,
                "low": _f(row.low) if row else None,
                "high": _f(row.high) if row else None,
                "sample": row.sample if row else 0,
                "zone": row.zone if row else "insufficient",
                "series": [(r.day, _f(r.value)) for r in history.get(key, [])],
            }
        )
    return 200, {"indicators": indicators}
