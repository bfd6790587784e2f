"""bench/seed.py writes, with the triggers off, the history the triggers would have written:
one insert event per row, and hash chains that `verify_history` accepts."""

from __future__ import annotations

import pytest
from django.db import connection

from bench.scale import database_url
from bench.seed import Seeder
from core.history_chain import verify
from core.models import HistoryChainHead, HistoryLink
from disputes.models import Claim, Message
from guarantees.models import Guarantee

pytestmark = pytest.mark.django_db


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def test_a_small_seed_has_every_event_and_chains_that_verify():
    Seeder(300, members=20, shops=40, buyers=10, audits=5).run()
    assert Guarantee.objects.count() == 300
    assert Claim.objects.count() == 30
    assert set(Claim.objects.values_list("state", flat=True)) >= {"filed", "closed"}
    assert _count("guarantees_guaranteeevent") == 300
    assert _count("disputes_claimevent") == 30
    assert _count("disputes_messageevent") == Message.objects.count() == 60
    assert _count("certification_trustmarkevent") == 40
    assert _count("certification_shopevent") == 40
    assert _count("audits_auditevent") == 5
    event = Guarantee.objects.order_by("pk").first().events.get()
    assert event.pgh_label == "registered"
    chained = 300 + 30 + 60 + 40
    assert HistoryLink.objects.count() == chained
    assert HistoryChainHead.objects.count() == 40  # one chain per shop
    report = verify()
    assert report.ok, report.faults
    assert report.links == chained


def test_a_seeded_event_changed_afterwards_breaks_its_chain():
    """The check is real: the seeded hashes cover the event rows as they are."""
    Seeder(50, members=5, shops=8, buyers=4, audits=1).run()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # past append-only
        cursor.execute(
            # the amount, not the buyer's name: personal fields are outside the hash
            # (erasure removes them; core/migrations/0003)
            "UPDATE guarantees_guaranteeevent SET amount = amount + 1 "
            "WHERE pgh_id = (SELECT min(pgh_id) FROM guarantees_guaranteeevent)"
        )
    report = verify()
    assert [fault.problem for fault in report.faults] == [
        "the event row was changed after it was written"
    ]


def test_the_database_option_names_a_plain_database_on_the_same_server(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5433/trustmark?sslmode=require")
    assert database_url("trustmark_bench_scale") == (
        "postgres://u:p@db.example:5433/trustmark_bench_scale?sslmode=require"
    )
    for bad in ("Bench", "bench;drop", "x" * 64, ""):
        with pytest.raises(SystemExit):
            database_url(bad)
