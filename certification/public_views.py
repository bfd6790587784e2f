"""Public pages on our domain: verification by number or domain, the badge, the keys.

No login, no session, no query on a warm cache for the badge and its JSON.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from certification import misuse
from certification.domains import normalise_domain
from certification.models import LIVE_MARK_STATES, TrustMark, VerificationDocument
from certification.signing import published_keys
from certification.verification import badge_payload, mark_payload
from core.csp import badge_policy

NUMBER_RE = re.compile(r"^TM-\d{4}-\d{6,}$")
PUBLIC_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SITE_HOST = (urlsplit(settings.SITE_URL).hostname or "").lower()


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in candidates or "*" in candidates


def cached_response(
    request: HttpRequest, body: bytes, etag: str, content_type: str
) -> HttpResponse:
    if _etag_matches(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.BADGE_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _count_misuse(request: HttpRequest, payload: dict) -> None:
    if payload["shop_id"] is None:
        return
    referer = request.headers.get("Referer", "")
    if not referer:
        return
    own = request.get_host().split(":")[0].lower()
    host = misuse.foreign_host(referer, payload["domains"], SITE_HOST)
    if host and host != own:
        misuse.record(payload["shop_id"], host)


@require_safe
@badge_policy
def badge_svg(request: HttpRequest, public_id: str) -> HttpResponse:
    """The seal: valid with the shop's domain, or a neutral 'not verified' image."""
    payload = badge_payload(public_id if PUBLIC_ID_RE.match(public_id) else "-")
    _count_misuse(request, payload)
    return cached_response(request, payload["svg"], payload["svg_etag"], "image/svg+xml")


@require_safe
def badge_json(request: HttpRequest, public_id: str) -> HttpResponse:
    payload = badge_payload(public_id if PUBLIC_ID_RE.match(public_id) else "-")
    _count_misuse(request, payload)
    return cached_response(request, payload["json"], payload["json_etag"], "application/json")


def _not_found(request: HttpRequest, asked: str) -> HttpResponse:
    return render(request, "certification/verify_unknown.html", {"asked": asked}, status=404)


@require_safe
def verify_mark(request: HttpRequest, number: str) -> HttpResponse:
    """The page a badge links to: is this shop, at this domain, certified right now?"""
    payload = mark_payload(number) if NUMBER_RE.match(number) else None
    if payload is None:
        return _not_found(request, number)
    document = None
    doc = request.GET.get("doc", "").strip().lower()
    if doc:
        document = _document_check(payload, doc)
    response = render(request, "certification/verify.html", {"mark": payload, "document": document})
    response["Cache-Control"] = "no-cache"
    return response


def _document_check(payload: dict, sha256: str) -> dict:
    """Is the document with this SHA-256 one we issued for this shop, and is it the newest?"""
    if not SHA256_RE.match(sha256):
        return {"asked": sha256, "genuine": False}
    found = (
        VerificationDocument.objects.filter(
            sha256=sha256, shop__public_id=payload["shop_public_id"]
        )
        .only("version", "created_at", "signature", "key_id", "shop_id")
        .first()
    )
    if found is None:
        return {"asked": sha256, "genuine": False}
    newer = VerificationDocument.objects.filter(
        shop_id=found.shop_id, version__gt=found.version
    ).exists()
    return {
        "asked": sha256,
        "genuine": True,
        "version": found.version,
        "created_at": found.created_at,
        "signature": found.signature,
        "key_id": found.key_id,
        "newer_exists": newer,
    }


@require_safe
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """/verify/?domain=shop.example: the live mark of the shop at that domain."""
    raw = request.GET.get("domain", "")
    if not raw:
        return render(request, "certification/verify_search.html", {})
    try:
        domain = normalise_domain(raw)
    except ValidationError as exc:
        return render(
            request,
            "certification/verify_search.html",
            {"error": " ".join(exc.messages), "domain": raw},
            status=400,
        )
    number = (
        TrustMark.objects.filter(
            shop__domain=domain, shop__closed_at__isnull=True, state__in=LIVE_MARK_STATES
        )
        .values_list("number", flat=True)
        .first()
    )
    if number is None:
        number = (
            TrustMark.objects.filter(shop__domain=domain)
            .order_by("-issued_at")
            .values_list("number", flat=True)
            .first()
        )
    if number is None:
        return _not_found(request, domain)
    return redirect("verify_mark", number=number)


@require_safe
def well_known_keys(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(published_keys())
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt  # read-only and public: other methods get 405, not a CSRF page
@require_safe
def mark_json(request: HttpRequest, number: str) -> HttpResponse:
    """GET /api/v1/marks/<number>, the public contract documented by `certification.api`.

    Served by this plain view, ahead of the ninja router, because it sits on the
    badge's speed budget (bench/http.py); the OpenAPI operation describes it and
    tests check its answers against that schema.
    """
    payload = mark_payload(number) if NUMBER_RE.match(number) else None
    if payload is None:
        return JsonResponse(MARK_NOT_FOUND, status=404)
    return cached_response(request, payload["api_json"], payload["api_etag"], "application/json")


MARK_NOT_FOUND = {
    "detail": "No trust mark has this number.",
    "field": "number",
    "code": "not_found",
}
