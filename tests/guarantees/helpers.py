"""Building blocks for guarantee tests."""

import itertools
import uuid

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


API_PATH = "/api/v1/guarantees"


def api_order(**changes) -> dict:
    """The JSON body a shop's checkout sends: an order of today, EUR 59.90."""
    return {
        "order_reference": "ORD-77",
        "amount": "59.90",
        "currency": "EUR",
        "buyer_email": "bruno@example.com",
        "purchase_date": timezone.localdate().isoformat(),
        **changes,
    }


def post_registration(client, secret: str, body: dict | None = None, key: str | None = None):
    """`POST /api/v1/guarantees` as a shop's key, with a new Idempotency-Key unless given."""
    return client.post(
        API_PATH,
        api_order() if body is None else body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )
