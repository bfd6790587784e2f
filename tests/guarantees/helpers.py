"""Building blocks for guarantee tests."""

import itertools

from django.utils import timezone

from guarantees.services import Purchase, register_guarantee


def purchase(**changes) -> Purchase:
    """A valid purchase of today, EUR 149.90; override any field."""
    data = {
        "order_reference": "A-1001",
        "amount": "149.90",
        "currency": "EUR",
        "buyer_email": "Bruno@Example.com",
        "purchase_date": timezone.localdate(),
    }
    data.update(changes)
    return Purchase(**data)


_REFERENCES = itertools.count(1)


def register_many(shop, n: int, **changes) -> list:
    """`n` guarantees through the API channel, each with a new order reference."""
    return [
        register_guarantee(
            shop=shop,
            purchase=purchase(order_reference=f"R-{next(_REFERENCES)}", **changes),
            channel="api",
        )
        for _ in range(n)
    ]
