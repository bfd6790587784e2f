"""Building blocks for guarantee tests."""

from django.utils import timezone

from guarantees.services import Purchase


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
