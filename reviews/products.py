"""A shop's products, upserted by SKU: from the shop's API, an order line or an uploaded list.

The shop is always the caller's (the API key's, the invitation's): a SKU names a
product within one shop only, so another shop's product can never be touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from certification.models import Shop
from core.errors import DomainError
from core.history import acting
from reviews.gtin import clean_gtin
from reviews.models import Product

_URL = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class ProductData:
    """What a shop tells about one of its products; only `sku` is always needed."""

    sku: str
    name: str = ""
    gtin: str = ""
    url: str = ""
    image_url: str = ""
    brand: str = ""


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), field=field, code="required")
    if len(text) > limit:
        raise DomainError(
            _("At most %(limit)s characters, please.") % {"limit": limit}, field=field
        )
    return text


def _url(value: str | None, field: str) -> str:
    text = _text(value, field, 500)
    if text:
        try:
            _URL(text)
        except ValidationError as exc:
            raise DomainError(
                _("Enter a web address starting with https://."), field=field
            ) from exc
    return text


def clean_product(
    data: ProductData, *, prefix: str = "", name_required: bool = True
) -> ProductData:
    """The product's fields checked and trimmed; errors name `prefix` + the field."""
    return ProductData(
        sku=_text(data.sku, prefix + "sku", 64, required=True),
        name=_text(data.name, prefix + "name", 300, required=name_required),
        gtin=clean_gtin(data.gtin, field=prefix + "gtin"),
        url=_url(data.url, prefix + "url"),
        image_url=_url(data.image_url, prefix + "image_url"),
        brand=_text(data.brand, prefix + "brand", 200),
    )


def _values(data: ProductData, *, partial: bool) -> dict[str, Any]:
    values = {
        "name": data.name,
        "gtin": data.gtin,
        "url": data.url,
        "image_url": data.image_url,
        "brand": data.brand,
    }
    if partial:  # an order line adds what it knows and never blanks what the shop said before
        values = {key: value for key, value in values.items() if value}
    return values


def upsert_product(
    *, shop: Shop, data: ProductData, actor: Any = None, partial: bool = False
) -> tuple[Product, bool]:
    """Create or update the shop's product with this SKU; (product, created).

    `partial`: only the given fields change (an order line). Otherwise every field
    is replaced (the API's PUT). A new product needs a name either way.
    """
    existing = Product.objects.filter(shop=shop, sku=(data.sku or "").strip()).first()
    checked = clean_product(data, name_required=existing is None or not partial)
    with transaction.atomic(), acting(actor, "product_upserted", sku=checked.sku):
        product, created = Product.objects.update_or_create(
            shop=shop, sku=checked.sku, defaults=_values(checked, partial=partial)
        )
    return product, created
