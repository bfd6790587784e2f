"""The shop API for guarantees: register from the checkout, read one back.

A public contract that shops code against: the field names are fixed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from core import ratelimit
from core.sql import InsertedValue, JsonWith
from guarantees.idempotency import AnswerRow, run_once_writing
from guarantees.keys import authenticate, note_use
from guarantees.models import ApiKey, Channel, Guarantee, IdempotentRequest
from guarantees.services import Purchase, register_guarantee


class ShopKey(HttpBearer):
    """`Authorization: Bearer <shop API key>`; the key acts for its own shop only.

    Every request counts against the key's rate limit (settings.RATE_LIMITS["api"]):
    over it, RateLimited becomes a 429 with Retry-After (config/api.py).
    """

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = authenticate(token)
        if key is not None:
            ratelimit.check("api", str(key.pk))
            note_use(key)
        return key


router = Router(tags=["guarantees"], auth=ShopKey())


class GuaranteeIn(Schema):
    order_reference: str
    amount: str
    currency: str
    buyer_email: str
    buyer_name: str = ""
    purchase_date: datetime.date
    expected_delivery_date: datetime.date | None = None
    plan: str = "basic"
    language: str = ""


class GuaranteeOut(Schema):
    number: str
    state: str
    order_reference: str
    amount: str
    currency: str
    buyer_email: str
    buyer_name: str
    purchase_date: datetime.date
    expected_delivery_date: datetime.date | None
    plan: str
    language: str
    cover_amount: str
    cover_until: datetime.date
    created_at: datetime.datetime


class Error(Schema):
    detail: str
    field: str | None = None
    code: str


def as_json(guarantee: Guarantee) -> dict[str, Any]:
    return {
        "number": guarantee.number,
        "state": guarantee.state,
        "order_reference": guarantee.order_reference,
        "amount": str(guarantee.amount),
        "currency": guarantee.currency,
        "buyer_email": guarantee.buyer_email,
        "buyer_name": guarantee.buyer_name,
        "purchase_date": guarantee.purchase_date.isoformat(),
        "expected_delivery_date": (
            guarantee.expected_delivery_date.isoformat()
            if guarantee.expected_delivery_date
            else None
        ),
        "plan": guarantee.plan,
        "language": guarantee.language,
        "cover_amount": str(guarantee.cover_amount),
        "cover_until": guarantee.cover_until.isoformat(),
        "created_at": guarantee.created_at.isoformat(),
    }


@router.post(
    "/guarantees",
    response={
        201: GuaranteeOut,
        400: Error,
        401: Error,
        403: Error,
        409: Error,
        422: Error,
        429: Error,
    },
    summary="Register a purchase for buyer protection",
    description=(
        "Send an `Idempotency-Key` header: the same key with the same body returns the first "
        "answer again without registering twice (a request sent again while the first still "
        "runs waits for it and gets its answer); the same key with another body is a 422. "
        "A duplicate `order_reference` is a 409. Too many requests with one API key are a 429 "
        "with a `Retry-After` header (seconds)."
    ),
)
def register(request: HttpRequest, payload: GuaranteeIn) -> Status:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]

    def work(answer_row: AnswerRow) -> tuple[int, dict[str, Any]]:
        def stored_answer(guarantee: Guarantee, number: InsertedValue) -> list[IdempotentRequest]:
            unsaved = {**as_json(guarantee), "number": None}
            return [answer_row(201, JsonWith(unsaved, number=number))]

        guarantee = register_guarantee(
            shop=api_key.shop,
            purchase=Purchase(**payload.dict()),
            channel=Channel.API,
            savepoint=False,  # run_once ends its transaction on any refusal
            rows_with=stored_answer,  # the answer is written by the registration's INSERT
        )
        return 201, as_json(guarantee)

    status, body = run_once_writing(
        api_key=api_key,
        key=request.headers.get("Idempotency-Key", ""),
        body=request.body,
        work=work,
    )
    return Status(status, body)


@router.get(
    "/guarantees/{number}",
    response={200: GuaranteeOut, 401: Error, 404: Error, 429: Error},
    summary="One of the shop's own guarantees",
)
def read(request: HttpRequest, number: str) -> Status:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    guarantee = Guarantee.objects.filter(shop=api_key.shop, number=number).first()
    if guarantee is None:
        return Status(
            404,
            {
                "detail": "No guarantee of this shop has this number.",
                "field": "number",
                "code": "not_found",
            },
        )
    return Status(200, as_json(guarantee))
