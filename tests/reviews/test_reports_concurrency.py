"""One decision on a report, however many moderators press the button at the same moment.

Real threads, each with its own PostgreSQL connection, released together by a barrier.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from reviews import moderation
from reviews.models import Report, ReportState, Review, ReviewState
from tests.reviews.helpers import review
from tests.reviews.moderation_helpers import make_cast, report

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def race(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


def test_twenty_moderators_deciding_at_once_make_one_decision(world):
    cast = make_cast(world)
    written = review(cast.shop, service=1, comment="Never again.")
    filed = report(written, cast.employee)
    decisions = ["removed", "stays", "partly_removed", "removed"] * (THREADS // 4)

    def decide(decision):
        return lambda: moderation.decide(
            report=Report.objects.get(pk=filed.pk),
            actor=cast.moderator,
            decision=decision,
            reason="Decided.",
            removal_note="Removed.",
            redacted_comment="[removed]",
        )

    results = race([decide(d) for d in decisions])
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1
    assert all(isinstance(r, Conflict) for r in losses), losses
    filed.refresh_from_db()
    written.refresh_from_db()
    assert filed.state == ReportState.DECIDED
    expected = {
        "removed": ReviewState.REMOVED,
        "stays": ReviewState.PUBLISHED,
        "partly_removed": ReviewState.PARTLY_REMOVED,
    }
    assert written.state == expected[filed.decision]
    decided_events = Report.pgh_event_model.objects.filter(pgh_obj_id=filed.pk, state="decided")
    assert decided_events.count() == 1
    assert Review.pgh_event_model.objects.filter(pgh_obj_id=written.pk).count() == 4


def test_twenty_reports_at_once_open_one(world):
    cast = make_cast(world)
    written = review(cast.shop, service=1, comment="Never again.")
    people = [cast.owner, cast.employee] * (THREADS // 2)
    results = race([lambda p=p: report(Review.objects.get(pk=written.pk), p) for p in people])
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception))
    assert Report.objects.filter(review=written).count() == 1
