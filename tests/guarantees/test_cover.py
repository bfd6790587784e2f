from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core.errors import Conflict, DomainError
from guarantees.cover import cover_amount, cover_until
from guarantees.models import CoverCap, Guarantee
from guarantees.services import expire_due_guarantees, register_guarantee
from tests.guarantees.helpers import purchase

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


@given(amount=amounts, cap=st.sampled_from([Decimal("100.00"), Decimal("20000.00")]))
def test_cover_is_the_amount_up_to_the_cap_and_never_above(amount, cap):
    cover = cover_amount(amount, cap)
    assert cover == min(amount, cap)
    assert 0 < cover <= cap
    assert cover <= amount


def test_cover_period_runs_from_the_expected_delivery_plus_thirty_days(settings):
    settings.GUARANTEE_COVER_DAYS = 30
    assert cover_until(date(2026, 11, 1), None) == date(2026, 12, 1)
    assert cover_until(date(2026, 11, 1), date(2026, 11, 10)) == date(2026, 12, 10)


def test_basic_covers_at_most_100_and_plus_at_most_20000(certified):
    basic = register_guarantee(shop=certified, purchase=purchase(), channel="api")
    assert (basic.cover_amount, basic.cap_amount) == (Decimal("100.00"), Decimal("100.00"))
    assert basic.buyer_email == "bruno@example.com"
    plus = register_guarantee(
        shop=certified,
        purchase=purchase(order_reference="A-1002", amount="25000.00", plan="plus"),
        channel="api",
    )
    assert plus.cover_amount == Decimal("20000.00")
    small = register_guarantee(
        shop=certified, purchase=purchase(order_reference="A-1003", amount="19.99"), channel="api"
    )
    assert small.cover_amount == Decimal("19.99")


def test_caps_are_data_that_administrators_change(certified):
    CoverCap.objects.filter(plan="basic", currency="EUR").update(cap=Decimal("150.00"))
    guarantee = register_guarantee(shop=certified, purchase=purchase(), channel="api")
    assert guarantee.cover_amount == Decimal("149.90")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "10.999"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"buyer_email": "not-an-email"}, "buyer_email"),
        ({"order_reference": " "}, "order_reference"),
        ({"plan": "gold"}, "plan"),
        ({"purchase_date": timezone.localdate() + timedelta(days=1)}, "purchase_date"),
        ({"purchase_date": timezone.localdate() - timedelta(days=31)}, "purchase_date"),
    ],
)
def test_bad_purchases_are_refused_naming_the_field_and_nothing_is_stored(
    certified, changes, field
):
    with pytest.raises(DomainError) as info:
        register_guarantee(shop=certified, purchase=purchase(**changes), channel="api")
    assert info.value.field == field
    assert info.value.message
    assert not Guarantee.objects.exists()


def test_buyers_registering_alone_have_five_days(certified):
    old = purchase(purchase_date=timezone.localdate() - timedelta(days=6))
    with pytest.raises(DomainError):
        register_guarantee(shop=certified, purchase=old, channel="buyer")
    register_guarantee(shop=certified, purchase=old, channel="api")


def test_a_shop_without_a_valid_mark_cannot_register(world, active_mark, admin_user):
    from certification.marks import suspend_mark

    suspend_mark(mark=active_mark, actor=admin_user, reason="unpaid_fees")
    with pytest.raises(Conflict):
        register_guarantee(shop=world.shop, purchase=purchase(), channel="api")
    with pytest.raises(Conflict):
        register_guarantee(shop=world.other_shop, purchase=purchase(), channel="api")
    assert not Guarantee.objects.exists()


def test_plus_only_where_the_shops_plan_offers_it(world, active_mark):
    with pytest.raises(DomainError) as info:
        register_guarantee(shop=world.shop, purchase=purchase(plan="plus"), channel="api")
    assert info.value.field == "plan"


def test_the_same_order_is_registered_once(certified):
    register_guarantee(shop=certified, purchase=purchase(), channel="api")
    with pytest.raises(Conflict) as info:
        register_guarantee(shop=certified, purchase=purchase(amount="10.00"), channel="api")
    assert info.value.field == "order_reference"
    assert Guarantee.objects.count() == 1


def test_the_database_refuses_a_cover_over_the_cap_or_the_amount(certified):
    guarantee = register_guarantee(shop=certified, purchase=purchase(), channel="api")
    for change in (
        {"cover_amount": Decimal("100.01")},
        {"cover_amount": Decimal("0")},
        {"amount": Decimal("50.00")},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Guarantee.objects.filter(pk=guarantee.pk).update(**change)


def test_expiry_runs_twice_with_the_effect_of_once(certified):
    guarantee = register_guarantee(shop=certified, purchase=purchase(), channel="api")
    after = guarantee.cover_until + timedelta(days=1)
    assert expire_due_guarantees(today=guarantee.cover_until) == 0
    assert expire_due_guarantees(today=after) == 1
    assert expire_due_guarantees(today=after) == 0
    assert Guarantee.objects.get(pk=guarantee.pk).state == "expired"


def test_the_buyer_gets_a_confirmation_in_the_shops_language(
    certified, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        guarantee = register_guarantee(shop=certified, purchase=purchase(), channel="api")
    assert mail.outbox[-1].to == ["bruno@example.com"]
    assert guarantee.number in mail.outbox[-1].subject
    assert "100" in mail.outbox[-1].body
    assert guarantee.language == "de"
