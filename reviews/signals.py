"""Signals that cached widgets listen to; sent inside the transaction of the change."""

from django.dispatch import Signal

# Sent with product_id after a product's rating changed; listeners defer their work to on_commit.
product_changed = Signal()
