"""Review widgets for the shop's own site: the shop's and a product's stars, count, latest reviews.

An HTML snippet for an iframe and the same facts as JSON, cached like the
badge (core.cache: shared cache plus a short per-process copy) and forgotten
after every commit that moves a rating (reviews.ratings calls `forget_shop`
and `forget_product`). A warm widget answers without SQL.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from certification.models import Shop
from core.cache import cached, forget
from core.csp import widget_policy
from reviews import selectors
from reviews.models import Product
from reviews.ratings import band
from reviews.templatetags.review_public import star_row

LATEST = 3
POSITIVE_TTL = 300  # a safety net only: changes forget the keys on commit
NEGATIVE_TTL = 60
MAX_AGE = 60
_MISSING = {"missing": True}


AUTO = "auto"  # no language asked: the shop's own


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _keys_languages() -> list[str]:
    return [*_languages(), AUTO]


def _resolved(language: str, shop: Shop) -> str:
    if language != AUTO:
        return language
    return shop.language if shop.language in _languages() else settings.LANGUAGE_CODE


def shop_key(public_id: str, language: str) -> str:
    return f"tm:reviews:widget:v1:{public_id}:{language}"


def product_key(public_id: str, sku: str, language: str) -> str:
    digest = hashlib.sha256(sku.encode()).hexdigest()[:24]
    return f"tm:reviews:pwidget:v1:{public_id}:{digest}:{language}"


def _latest(rows: Any) -> list[dict[str, Any]]:
    items = []
    for review in rows[:LATEST]:
        items.append(
            {
                "id": review.pk,
                "stars": review.stars,
                "ratings": review.ratings,
                "title": review.title,
                "comment": review.shown_comment,
                "language": review.language,
                "label": review.label,
                "author": review.author_name,
                "submitted_at": review.submitted_at.isoformat(),
            }
        )
    return items


def _finish(facts: dict[str, Any], template: str, language: str, extra: dict) -> dict[str, Any]:
    with translation.override(language):
        html = render_to_string(template, {**facts, **extra, "language": language})
    body_json = json.dumps(facts, separators=(",", ":")).encode()
    body_html = html.encode()
    return {
        "known": True,
        "json": body_json,
        "json_etag": '"' + hashlib.sha256(body_json).hexdigest()[:32] + '"',
        "html": body_html,
        "html_etag": '"' + hashlib.sha256(body_html).hexdigest()[:32] + '"',
    }


def _shop(public_id: str) -> Shop | None:
    if not selectors.PUBLIC_ID_RE.match(public_id):
        return None
    return (
        Shop.objects.live()
        .select_related("review_settings", "rating")
        .filter(public_id=public_id)
        .first()
    )


def _build_shop(public_id: str, language: str) -> dict[str, Any]:
    shop = _shop(public_id)
    if shop is None:
        return _MISSING
    on = selectors.collects_reviews(shop)
    rating = selectors.rating_for(shop) if on else None
    grade = rating.grade if rating else None
    found = band(grade)
    facts = {
        "shop_public_id": public_id,
        "shop_name": shop.name,
        "reviews_on": on,
        "grade": str(grade) if grade is not None else None,
        "label": found[0] if found else None,
        "count": rating.count if rating else 0,
        "profile_url": settings.SITE_URL + reverse("reviews:profile", args=[public_id]),
        "latest": _latest(selectors.shop_reviews(shop, placeholders=False)) if on else [],
    }
    extra = {"band": found[1] if found else None, "stars": star_row(grade)}
    return _finish(facts, "reviews/public/widget.html", _resolved(language, shop), extra)


def _build_product(public_id: str, sku: str, language: str) -> dict[str, Any]:
    shop = _shop(public_id)
    item = (
        Product.objects.select_related("rating").filter(shop=shop, sku=sku).first()
        if shop and "\x00" not in sku
        else None
    )
    if shop is None or item is None:
        return _MISSING
    rating = selectors.product_rating_for(item)
    average = rating.average if rating else None
    facts = {
        "shop_public_id": public_id,
        "sku": sku,
        "name": item.name,
        "average": str(average) if average is not None else None,
        "count": rating.count if rating else 0,
        "reviews_url": settings.SITE_URL + reverse("reviews:product", args=[public_id, sku]),
        "latest": _latest(selectors.product_reviews(item, placeholders=False)),
    }
    extra = {"stars": star_row(average)}
    return _finish(facts, "reviews/public/product_widget.html", _resolved(language, shop), extra)


def _ttl(payload: dict[str, Any]) -> int:
    return NEGATIVE_TTL if payload.get("missing") else POSITIVE_TTL


def shop_payload(public_id: str, language: str) -> dict[str, Any]:
    if not selectors.PUBLIC_ID_RE.match(public_id):
        return _MISSING  # not a public id at all: nothing to look up or to remember
    return cached(shop_key(public_id, language), lambda: _build_shop(public_id, language), _ttl)


def product_payload(public_id: str, sku: str, language: str) -> dict[str, Any]:
    if not selectors.PUBLIC_ID_RE.match(public_id) or len(sku) > 64:
        return _MISSING
    return cached(
        product_key(public_id, sku, language),
        lambda: _build_product(public_id, sku, language),
        _ttl,
    )


def forget_shop(shop_id: int) -> None:
    """Forget the shop's cached widget in every language (call it on commit)."""
    public_id = Shop.objects.filter(pk=shop_id).values_list("public_id", flat=True).first()
    if public_id:
        forget(*(shop_key(public_id, code) for code in _keys_languages()))


def forget_product(product_id: int) -> None:
    """Forget a product's cached widget in every language (call it on commit)."""
    found = Product.objects.filter(pk=product_id).values_list("shop__public_id", "sku").first()
    if found:
        public_id, sku = found
        forget(*(product_key(public_id, sku, code) for code in _keys_languages()))


def forget_products_of(shop_id: int) -> None:
    """Forget every product widget of a shop (the shop closed, reviews switched off)."""
    rows = Product.objects.filter(Q(shop_id=shop_id)).values_list("shop__public_id", "sku")
    keys = [product_key(p, sku, code) for p, sku in rows for code in _keys_languages()]
    forget(*keys)


# --- views -------------------------------------------------------------------------------


def _language(request: HttpRequest, default: str = AUTO) -> str:
    asked = request.GET.get("lang", "")
    codes = _languages()
    return asked if asked in codes else default


def _answer(request: HttpRequest, payload: dict[str, Any], kind: str) -> HttpResponse:
    from certification.public_views import cached_response

    if payload.get("missing"):
        body = b'{"detail":"Not found.","code":"not_found"}'
        response = HttpResponse(body, status=404, content_type="application/json")
        if kind == "html":
            response = HttpResponse(b"", status=404, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = f"public, max-age={NEGATIVE_TTL}"
        return response
    content_type = "text/html; charset=utf-8" if kind == "html" else "application/json"
    response = cached_response(request, payload[kind], payload[f"{kind}_etag"], content_type)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


@require_safe
@xframe_options_exempt
@widget_policy
def shop_widget(request: HttpRequest, public_id: str) -> HttpResponse:
    """The shop's review widget as an HTML document for an iframe on the shop's site."""
    language = _language(request)
    return _answer(request, shop_payload(public_id, language), "html")


@require_safe
def shop_widget_json(request: HttpRequest, public_id: str) -> HttpResponse:
    language = _language(request)
    return _answer(request, shop_payload(public_id, language), "json")


@require_safe
@xframe_options_exempt
@widget_policy
def product_widget(request: HttpRequest, public_id: str, sku: str) -> HttpResponse:
    language = _language(request)
    return _answer(request, product_payload(public_id, sku, language), "html")


@require_safe
def product_widget_json(request: HttpRequest, public_id: str, sku: str) -> HttpResponse:
    language = _language(request)
    return _answer(request, product_payload(public_id, sku, language), "json")
