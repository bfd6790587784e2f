"""Public REST API of the certification app (django-ninja, OpenAPI at /api/schema/)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from certification.public_views import mark_json

router = Router(tags=["trust marks"])


class MarkOut(Schema):
    number: str
    status: str
    valid_from: datetime.date
    valid_until: datetime.date
    shop_name: str
    domain: str
    member_name: str
    country: str
    verification_url: str
    updated_at: datetime.datetime


class ErrorOut(Schema):
    detail: str
    field: str | None = None
    code: str


@router.get(
    "/marks/{number}",
    response={200: MarkOut, 404: ErrorOut},
    auth=None,
    summary="The public facts of a trust mark",
    description=(
        "Whether the mark with this number is valid right now, for which shop and domain. "
        "`status` is one of `active`, `suspended`, `revoked`, `expired`."
    ),
)
def get_mark(request: HttpRequest, number: str) -> HttpResponse:
    # config/urls.py routes this path to the same plain view ahead of ninja, for speed;
    # the body was serialised once, with MarkOut's fields, when the payload was cached.
    return mark_json(request, number)
