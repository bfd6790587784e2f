"""The tamper-evident history chain: one hash-linked chain of events per shop.

PostgreSQL triggers (core/migrations/0002) write these rows whenever an event of
the money and mark workflows is inserted, whoever inserts it; the application
never writes them. See docs/operations.md, "The history chain".
"""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models.functions import Now

GLOBAL_CHAIN = 0  # events whose shop cannot be found


class HistoryChainHead(models.Model):
    """The tip of one chain; its row lock is what keeps two writers from forking it."""

    chain = models.BigIntegerField(primary_key=True)  # the shop's id, or GLOBAL_CHAIN
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "history chain head"

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"


class HistoryLink(models.Model):
    """One event's place in its chain: sha256(prev_hash || the event row's canonical JSON)."""

    chain = models.BigIntegerField()
    seq = models.BigIntegerField()
    event_table = models.CharField(max_length=63)
    event_pk = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = "history link"
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="history_link_chain_seq"),
            models.UniqueConstraint(
                fields=["event_table", "event_pk"], name="history_link_one_per_event"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="history_link_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.event_table}:{self.event_pk}"
