"""The shop's write API (its API key): review invitations and product upserts.

The same key as for guarantees (`Authorization: Bearer <key>`), the same
Idempotency-Key rules and the same error shape. The key decides the shop: a
SKU names a product of that shop only, so no request touches another shop.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from guarantees.api import Error, ShopKey
from guarantees.idempotency import run_once
from guarantees.models import ApiKey
from reviews.invitations import Line, invite
from reviews.models import Invitation, InvitationSource, Product
from reviews.products import ProductData, upsert_product

router = Router(tags=["reviews"], auth=ShopKey())

IDEMPOTENCY = (
    "Send an `Idempotency-Key` header: the same key with the same body returns the first "
    "answer again without doing the work twice; the same key with another body is a 422. "
    "Errors name the field in error (`field`). Too many requests with one API key are a "
    "429 with a `Retry-After` header (seconds)."
)


class LineIn(Schema):
    sku: str = Field(..., max_length=200, description="The shop's SKU of the product.")
    name: str = Field("", description="Needed the first time this SKU is seen.")
    gtin: str = Field("", description="GTIN-8, -12, -13 or -14 (EAN/UPC), check digit checked.")
    url: str = ""
    image_url: str = ""
    brand: str = ""
    quantity: int = 1


class InvitationIn(Schema):
    order_reference: str
    email: str
    name: str = ""
    language: str = Field("", description="en, fr or de; the shop's language when empty.")
    order_date: datetime.date
    expected_delivery_date: datetime.date | None = None
    lines: list[LineIn] = Field(default_factory=list, description="The order's items.")


class InvitationOut(Schema):
    id: int
    order_reference: str
    state: str
    send_at: datetime.datetime
    review_until: datetime.date
    lines: int


class ProductIn(Schema):
    name: str
    gtin: str = ""
    url: str = ""
    image_url: str = ""
    brand: str = ""


class ProductOut(Schema):
    sku: str
    name: str
    gtin: str
    url: str
    image_url: str
    brand: str
    updated_at: datetime.datetime


def invitation_json(invitation: Invitation, lines: int) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "order_reference": invitation.order_reference,
        "state": invitation.state,
        "send_at": invitation.send_at.isoformat(),
        "review_until": invitation.review_until.isoformat(),
        "lines": lines,
    }


def product_json(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "name": product.name,
        "gtin": product.gtin,
        "url": product.url,
        "image_url": product.image_url,
        "brand": product.brand,
        "updated_at": product.updated_at.isoformat(),
    }


@router.post(
    "/invitations",
    response={201: InvitationOut, 400: Error, 401: Error, 409: Error, 422: Error, 429: Error},
    summary="Invite the buyer of an order to review the shop and its products",
    description=(
        "The invitation is sent after the shop's delay, counted from the expected delivery "
        "(or the order date). An order reference already invited is a 409; an address "
        "that unsubscribed is accepted but the invitation is `cancelled` and never sent. "
        + IDEMPOTENCY
    ),
)
def create_invitation(request: HttpRequest, payload: InvitationIn) -> Status:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]

    def work() -> tuple[int, dict[str, Any]]:
        lines = [
            Line(
                product=ProductData(
                    sku=line.sku,
                    name=line.name,
                    gtin=line.gtin,
                    url=line.url,
                    image_url=line.image_url,
                    brand=line.brand,
                ),
                quantity=line.quantity,
            )
            for line in payload.lines
        ]
        invitation = invite(
            shop=api_key.shop,
            order_reference=payload.order_reference,
            email=payload.email,
            name=payload.name,
            language=payload.language,
            order_date=payload.order_date,
            expected_delivery_date=payload.expected_delivery_date,
            source=InvitationSource.API,
            lines=lines,
        )
        return 201, invitation_json(invitation, len({line.sku.strip() for line in payload.lines}))

    status, body = run_once(
        api_key=api_key,
        key=request.headers.get("Idempotency-Key", ""),
        body=request.body,
        work=work,
    )
    return Status(status, body)


@router.put(
    "/products/{sku}",
    response={
        200: ProductOut,
        201: ProductOut,
        400: Error,
        401: Error,
        409: Error,
        422: Error,
        429: Error,
    },
    summary="Create or replace one of the shop's products, by its SKU",
    description="201 when the SKU is new, 200 when it replaced the product. " + IDEMPOTENCY,
)
def put_product(request: HttpRequest, sku: str, payload: ProductIn) -> Status:
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]

    def work() -> tuple[int, dict[str, Any]]:
        product, created = upsert_product(
            shop=api_key.shop, data=ProductData(sku=sku, **payload.dict())
        )
        return (201 if created else 200), product_json(product)

    status, body = run_once(
        api_key=api_key,
        key=request.headers.get("Idempotency-Key", ""),
        # the SKU is in the path: one key reused for another SKU is another request
        body=json.dumps({"sku": sku, "product": payload.dict()}).encode(),
        work=work,
    )
    return Status(status, body)
