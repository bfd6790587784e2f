"""Member portal pages: each shop's indicators with graphs, and the graphs themselves."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from quality.access import get_shop_for_quality, shops_for_quality
from quality.charts import render_svg
from quality.definitions import DEFINITIONS
from quality.measures import today
from quality.selectors import HISTORY_DAYS, latest_rows, monthly, series
from quality.services import thresholds

CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def indicator_cards(shop_id: int, rows_by_key: dict, limits: dict) -> list[dict]:
    latest = latest_rows([shop_id]).get(shop_id, {})
    cards = []
    for key, definition in DEFINITIONS.items():
        cards.append(
            {
                "key": key,
                "definition": definition,
                "threshold": limits[key],
                "latest": latest.get(key),
                "table": monthly(rows_by_key.get(key, [])),
            }
        )
    return cards


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    shops = list(shops_for_quality(request.user).live().select_related("member").order_by("name"))
    latest = latest_rows([s.pk for s in shops])
    rows = []
    for shop in shops:
        zones = [r.zone for r in latest.get(shop.pk, {}).values()]
        rows.append(
            {
                "shop": shop,
                "red": zones.count("red"),
                "yellow": zones.count("yellow"),
                "green": zones.count("green"),
                "insufficient": zones.count("insufficient"),
            }
        )
    return render(request, "quality/index.html", {"rows": rows})


@login_required
@require_safe
def shop(request: HttpRequest, public_id: str) -> HttpResponse:
    found = get_shop_for_quality(request.user, public_id)
    limits = thresholds()
    cards = indicator_cards(found.pk, series(found.pk), limits)
    return render(request, "quality/shop.html", {"shop": found, "cards": cards})


@login_required
@require_safe
def chart(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    found = get_shop_for_quality(request.user, public_id)
    if key not in DEFINITIONS:
        raise Http404("No such indicator.")
    end = today()
    rows = series(found.pk, until=end).get(key, [])
    with translation.override(translation.get_language()):
        svg = render_svg(
            rows,
            thresholds()[key],
            title=str(DEFINITIONS[key].label),
            start=end - timedelta(days=HISTORY_DAYS),
            end=end,
        )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = CHART_CSP
    response["Cache-Control"] = "private, max-age=300"
    return response
