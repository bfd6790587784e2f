"""The dispute fixtures (a Plus guarantee, its buyer, staff) shared with the fault tests."""

from tests.disputes.conftest import (  # noqa: F401
    buyer,
    guarantee,
    second_staff,
    shop_side,
    staff,
)
