"""Products by SKU and GTIN check digits."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from reviews.gtin import clean_gtin, is_valid
from reviews.models import Product
from reviews.products import ProductData, upsert_product


@pytest.mark.parametrize(
    "gtin",
    [
        "96385074",  # GTIN-8
        "036000291452",  # GTIN-12 (UPC-A)
        "4006381333931",  # GTIN-13 (EAN-13)
        "10614141000415",  # GTIN-14
        "4 006381 333931",
    ],
)
def test_gtins_with_the_right_check_digit_are_accepted(gtin):
    assert clean_gtin(gtin) == gtin.replace(" ", "")


@pytest.mark.parametrize(
    "gtin",
    [
        "96385075",
        "036000291453",
        "4006381333932",
        "10614141000416",
        "123",
        "40063813339311",
        "abcdefgh",
        "٤٠٠٦٣٨١٣٣٣٩٣١",
    ],
)
def test_gtins_with_a_wrong_check_digit_or_length_are_refused(gtin):
    assert not is_valid(gtin)
    with pytest.raises(DomainError) as refused:
        clean_gtin(gtin)
    assert refused.value.field == "gtin"


def test_an_upsert_from_an_order_line_fills_gaps_but_never_blanks(world):
    product, created = upsert_product(
        shop=world.shop, data=ProductData(sku="A-1", name="Lamp", brand="Lumo")
    )
    assert created
    same, created = upsert_product(
        shop=world.shop, data=ProductData(sku="A-1", gtin="96385074"), partial=True
    )
    assert not created
    assert (same.pk, same.name, same.brand, same.gtin) == (product.pk, "Lamp", "Lumo", "96385074")


def test_the_database_refuses_a_product_with_a_gtin_that_is_not_digits(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Product.objects.create(shop=world.shop, sku="A-1", name="Lamp", gtin="12AB5678")
