"""The dispute and audit fixtures shared with the fault tests."""

from tests.audits.conftest import auditor2, in_review, requested  # noqa: F401
from tests.disputes.conftest import (  # noqa: F401
    buyer,
    guarantee,
    second_staff,
    shop_side,
    staff,
)
