"""What the public sees of a mark and a shop's badge, cached and invalidated on change.

The verification page, the JSON API and the badge read these payloads; on a
warm cache they answer without a single SQL query. Every change of a mark or
its shop deletes the keys after commit, so the next request shows the truth.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from certification.models import LIVE_MARK_STATES, MarkState, Shop, TrustMark
from core.cache import cached, forget

POSITIVE_TTL = 300  # a safety net only: changes invalidate explicitly
NEGATIVE_TTL = 60
_MISSING = {"missing": True}


def mark_key(number: str) -> str:
    return f"tm:mark:v3:{number}"


def badge_key(public_id: str) -> str:
    return f"tm:badge:v4:{public_id}"


def verification_url(number: str) -> str:
    return settings.SITE_URL + reverse("verify_mark", args=[number])


def guarantee_offer(shop: Shop) -> dict[str, str]:
    """The buyer protection the shop's plan offers (Basic or Plus)."""
    features = set(shop.plan.features or [])
    if "guarantee_plus" in features:
        return {"plan": "plus", "cap": "20000", "currency": "EUR"}
    return {"plan": "basic", "cap": "100", "currency": "EUR"}


def _mark_facts(mark: TrustMark) -> dict[str, Any]:
    shop = mark.shop
    member = shop.member
    first_issue = shop.marks.order_by("issued_at").values_list("issued_at", flat=True).first()
    return {
        "number": mark.number,
        "status": mark.state,
        "valid_from": mark.valid_from.isoformat(),
        "valid_until": mark.valid_until.isoformat(),
        "shop_name": shop.name,
        "domain": shop.domain,
        "domains": [shop.domain],
        "display_domain": shop.display_domain,
        "shop_public_id": shop.public_id,
        "member_name": member.legal_name,
        "country": str(member.country),
        "verification_url": verification_url(mark.number),
        "updated_at": mark.updated_at.isoformat(),
        "member_since": (first_issue or mark.issued_at).date().isoformat(),
        "last_audit_on": mark.last_audit_on.isoformat() if mark.last_audit_on else None,
        "suspension_reason": mark.suspension_reason,
        "guarantee": guarantee_offer(shop),
        "shop_language": shop.language,
        "reviews_profile_url": _profile_url(shop),
    }


def _profile_url(shop: Shop) -> str | None:
    """The shop's rating profile when it collects reviews (the verification page links to it)."""
    settings_row = _one_to_one(shop, "review_settings")
    if settings_row is None or not settings_row.enabled or not shop.is_live:
        return None
    return reverse("reviews:profile", args=[shop.public_id])


def _build_mark(number: str) -> dict[str, Any]:
    mark = (
        TrustMark.objects.select_related("shop__member", "shop__plan", "shop__review_settings")
        .filter(number=number)
        .first()
    )
    if mark is None:
        return _MISSING
    facts = _mark_facts(mark)
    body = json.dumps(public_api_facts(facts), separators=(",", ":")).encode()
    facts["api_json"] = body
    facts["api_etag"] = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return facts


def mark_payload(number: str) -> dict[str, Any] | None:
    """The public facts of a mark, or None for an unknown number."""
    payload = cached(
        mark_key(number),
        lambda: _build_mark(number),
        lambda p: NEGATIVE_TTL if p.get("missing") else POSITIVE_TTL,
    )
    return None if payload.get("missing") else payload


def public_api_facts(payload: dict[str, Any]) -> dict[str, Any]:
    """The public JSON contract of /api/v1/marks/<number>."""
    fields = ("number", "status", "valid_from", "valid_until", "shop_name", "domain")
    facts = {name: payload[name] for name in fields}
    facts.update(
        member_name=payload["member_name"],
        country=payload["country"],
        verification_url=payload["verification_url"],
        updated_at=payload["updated_at"],
    )
    return facts


def _badge_language(shop: Shop | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return shop.language if shop is not None and shop.language in codes else "en"


def _one_to_one(obj: Any, name: str) -> Any:
    """A reverse one-to-one loaded by select_related, or None when the row does not exist."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _review_facts(shop: Shop | None) -> dict[str, Any] | None:
    """The shop's review figures when it collects reviews and has a rating, else None.

    Read through the reverse relations (`review_settings`, `rating`) so that certification
    does not import reviews; loaded in the badge's one query.
    """
    settings_row = _one_to_one(shop, "review_settings") if shop is not None else None
    rating = _one_to_one(shop, "rating") if shop is not None else None
    if settings_row is None or not settings_row.enabled or rating is None or rating.grade is None:
        return None
    grade = rating.grade
    return {
        "grade": str(grade),
        "count": rating.count,
        "stars": _star_fill(grade),
        "profile_url": settings.SITE_URL + reverse("reviews:profile", args=[shop.public_id]),
    }


def _star_fill(grade: Decimal) -> list[dict[str, int]]:
    """Five stars for the badge's row: where each stands and how full it is, in percent."""
    return [
        {"n": n, "x": 50 + 20 * n, "fill": int(max(0, min(1, grade - n)) * 100)} for n in range(5)
    ]


def _build_badge(public_id: str) -> dict[str, Any]:
    shop = (
        Shop.objects.live()
        .select_related("member", "review_settings", "rating")
        .filter(public_id=public_id)
        .first()
    )
    mark = None
    if shop is not None:
        mark = shop.marks.filter(state__in=LIVE_MARK_STATES).first()
    valid = mark is not None and mark.state == MarkState.ACTIVE
    facts = {
        "shop_public_id": public_id,
        "status": "valid" if valid else "not_verified",
        "domain": shop.domain if shop and valid else None,
        "number": mark.number if valid and mark else None,
        "valid_until": mark.valid_until.isoformat() if valid and mark else None,
        "verification_url": verification_url(mark.number) if valid and mark else None,
    }
    reviews = _review_facts(shop) if valid else None
    if reviews is not None:
        facts["reviews"] = {name: reviews[name] for name in ("grade", "count", "profile_url")}
    with translation.override(_badge_language(shop)):
        svg = render_to_string(
            "certification/badge.svg",
            {
                "valid": valid,
                "domain": shop.display_domain if shop and valid else "",
                "reviews": reviews,
            },
        )
    body_json = json.dumps(facts, separators=(",", ":")).encode()
    body_svg = svg.encode()
    return {
        "domains": [shop.domain] if shop else [],
        "shop_id": shop.pk if shop else None,
        "svg": body_svg,
        "svg_etag": '"' + hashlib.sha256(body_svg).hexdigest()[:32] + '"',
        "json": body_json,
        "json_etag": '"' + hashlib.sha256(body_json).hexdigest()[:32] + '"',
        "known": shop is not None,
        "valid": valid,
    }


def badge_payload(public_id: str) -> dict[str, Any]:
    return cached(
        badge_key(public_id),
        lambda: _build_badge(public_id),
        lambda p: POSITIVE_TTL if p["known"] else NEGATIVE_TTL,
    )


def shop_has_valid_mark(public_id: str) -> bool:
    """Whether the shop is live and its mark active, as its badge says (cached, no query)."""
    return badge_payload(public_id)["valid"]


def invalidate_shop(shop_id: int) -> None:
    """Forget every cached answer about this shop and its marks."""
    shop = Shop.objects.filter(pk=shop_id).only("public_id").first()
    if shop is None:
        return
    numbers = TrustMark.objects.filter(shop_id=shop_id).values_list("number", flat=True)
    forget(badge_key(shop.public_id), *(mark_key(n) for n in numbers))
