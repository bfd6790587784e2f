"""The database refuses what the code must never do, even when the services are bypassed.

Each test writes the bad row with raw SQL (see sql.copy_row) and expects IntegrityError
naming the constraint that stopped it.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from certification.models import Shop
from disputes import services
from disputes.models import Claim, Payout
from guarantees.models import Guarantee
from tests.factories import ShopFactory
from tests.faults.sql import copy_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def payout(guarantee, buyer, shop_side, staff):
    claim = services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="3000.00",
        description="The parcel never came.",
    )
    claim = services.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="No.")
    claim = services.reject_answer(actor=buyer, claim=claim, reason="Yes.")
    claim = services.decide_claim(
        actor=staff, claim=claim, for_buyer=True, amount="2800.00", reason="Not delivered."
    )
    return claim.payout


def refused(constraint: str, table: str, pk: int, **changes) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        copy_row(table, pk, **changes)


def test_a_second_payout_for_the_same_claim_is_refused(payout):
    refused("claim_id", Payout._meta.db_table, payout.pk)
    assert Payout.objects.count() == 1


def test_a_payout_above_the_cover_is_refused(payout, guarantee):
    copy_row(Guarantee._meta.db_table, guarantee.pk, number="G-RAW-2", order_reference="RAW-2")
    other = Guarantee.objects.get(number="G-RAW-2")
    copy_row(Claim._meta.db_table, payout.claim_id, number="C-RAW-2", guarantee_id=other.pk)
    claim = Claim.objects.get(number="C-RAW-2")
    assert guarantee.cover_amount == Decimal("3000.00")
    refused(
        "payouts_within_cover",
        Payout._meta.db_table,
        payout.pk,
        claim_id=claim.pk,
        amount=Decimal("3000.01"),
    )
    # The checked copy of the cover: a payout within it is accepted.
    copy_row(Payout._meta.db_table, payout.pk, claim_id=claim.pk, amount=Decimal("3000.00"))


def test_a_guarantee_above_its_plans_cap_is_refused(guarantee):
    over = guarantee.cap_amount + Decimal("0.01")
    refused(
        "guarantees_cover_within_cap",
        Guarantee._meta.db_table,
        guarantee.pk,
        number="G-RAW-3",
        order_reference="RAW-3",
        amount=over,
        cover_amount=over,
    )
    assert Guarantee.objects.count() == 1


def test_a_second_live_shop_on_the_same_domain_is_refused():
    shop = ShopFactory(domain="twice.example")
    refused("certification_shop_live_domain_unique", Shop._meta.db_table, shop.pk, public_id="raw")
    # Once the first shop is closed, the domain is free for a new one.
    Shop.objects.filter(pk=shop.pk).update(closed_at="2026-01-01T00:00:00Z")
    copy_row(Shop._meta.db_table, shop.pk, public_id="raw", closed_at=None)
