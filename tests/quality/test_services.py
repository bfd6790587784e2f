"""Zones, alerts once per change, the mark review after 14 red days, the nightly task twice."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from freezegun import freeze_time

from certification.access import Right
from certification.models import Area, MarkState
from certification.team import set_rights
from core.errors import Conflict, DomainError, NotPermitted
from notifications.models import OutgoingMessage
from quality.definitions import Key
from quality.models import MarkReview, QualityIndicator, ReviewState, Threshold, ZoneState
from quality.services import decide_review, open_due_reviews, store_day, update_threshold
from quality.tasks import nightly, refresh_changed
from tests.guarantees.helpers import register_many
from tests.quality.helpers import GREEN, RED, SMALL, YELLOW, red_days

DAY = date(2026, 6, 30)


def zone_emails():
    return OutgoingMessage.objects.filter(template="quality_zone")


def test_no_guarantees_no_reviews_no_claims_is_not_enough_data_never_a_good_zero(world):
    nightly(DAY.isoformat())
    rows = {r.key: r for r in QualityIndicator.objects.filter(shop=world.shop, day=DAY)}
    for key in (Key.CLAIM_RATE, Key.BUYER_DECISIONS, Key.ANSWER_HOURS, Key.REVIEW_GRADE):
        assert rows[key].zone == "insufficient"
        assert rows[key].value is None
    assert not zone_emails().exists()


def test_small_sample_is_not_enough_data(world):
    (row,) = store_day(world.shop, DAY, [SMALL])
    assert row.zone == "insufficient"
    assert row.value > Decimal(300)  # shown, but not judged


def test_alert_emails_once_per_zone_change_to_owner_and_audits_right(
    world, django_capture_on_commit_callbacks
):
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.AUDITS, world.shop.pk)},
    )
    with django_capture_on_commit_callbacks(execute=True):
        store_day(world.shop, DAY, [GREEN])
        store_day(world.shop, DAY + timedelta(days=1), [YELLOW])
        store_day(world.shop, DAY + timedelta(days=1), [YELLOW])  # refreshed: same zone
        store_day(world.shop, DAY + timedelta(days=2), [YELLOW])
    yellow = list(zone_emails())
    assert sorted(m.to_email for m in yellow) == [world.alice.email, world.bob.email]
    assert all("yellow" in m.subject for m in yellow)
    assert all(m.sent_at is not None for m in yellow)
    with django_capture_on_commit_callbacks(execute=True):
        store_day(world.shop, DAY + timedelta(days=3), [RED])
        store_day(world.shop, DAY + timedelta(days=4), [RED])
    red = zone_emails().filter(subject__contains="red")
    assert red.count() == 2
    state = ZoneState.objects.get(shop=world.shop, key=Key.CLAIM_RATE)
    assert (state.zone, state.since) == ("red", DAY + timedelta(days=3))


def test_an_employee_without_the_audits_right_gets_no_alert(world):
    store_day(world.shop, DAY, [RED])
    assert [m.to_email for m in zone_emails()] == [world.alice.email]


def test_getting_better_sends_nothing(world):
    store_day(world.shop, DAY, [RED])
    store_day(world.shop, DAY + timedelta(days=1), [YELLOW])
    store_day(world.shop, DAY + timedelta(days=2), [GREEN])
    assert zone_emails().count() == 1


def test_thirteen_red_days_open_no_case(world):
    red_days(world.shop, DAY, 13)
    assert open_due_reviews(DAY) == 0
    assert not MarkReview.objects.exists()


def test_fourteen_red_days_open_exactly_one_case_with_evidence(world):
    red_days(world.shop, DAY, 14)
    assert open_due_reviews(DAY) == 1
    assert open_due_reviews(DAY) == 0
    red_days(world.shop, DAY + timedelta(days=1), 1)
    assert open_due_reviews(DAY + timedelta(days=1)) == 0
    case = MarkReview.objects.get()
    assert case.red_since == DAY - timedelta(days=13)
    assert case.state == ReviewState.OPEN
    assert case.evidence[0]["key"] == Key.CLAIM_RATE


@override_settings(QUALITY_RED_DAYS=3)
def test_the_number_of_red_days_is_a_setting_and_a_gap_restarts_the_count(world):
    red_days(world.shop, DAY - timedelta(days=3), 2)
    store_day(world.shop, DAY - timedelta(days=1), [GREEN])
    red_days(world.shop, DAY + timedelta(days=1), 2)
    assert open_due_reviews(DAY + timedelta(days=1)) == 0
    red_days(world.shop, DAY + timedelta(days=2), 1)
    assert open_due_reviews(DAY + timedelta(days=2)) == 1


def test_a_second_case_for_the_same_episode_is_refused_by_the_database(world):
    MarkReview.objects.create(shop=world.shop, red_since=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        MarkReview.objects.create(shop=world.shop, red_since=DAY - timedelta(days=1))


def test_suspend_decision_suspends_the_mark_through_its_service(world, admin_user, active_mark):
    red_days(world.shop, DAY, 14)
    open_due_reviews(DAY)
    case = MarkReview.objects.get()
    decide_review(review=case, actor=admin_user, decision="suspend", reason="Red for weeks.")
    case.refresh_from_db()
    active_mark.refresh_from_db()
    assert case.state == ReviewState.SUSPENDED
    assert active_mark.state == MarkState.SUSPENDED
    assert active_mark.suspension_reason == "quality_red_zone"
    with pytest.raises(Conflict):
        decide_review(review=case, actor=admin_user, decision="dismiss", reason="Again")


def test_dismiss_needs_a_reason_and_an_administrator(world, admin_user, auditor, active_mark):
    case = MarkReview.objects.create(shop=world.shop, red_since=DAY)
    with pytest.raises(NotPermitted):
        decide_review(review=case, actor=auditor, decision="dismiss", reason="Fine")
    with pytest.raises(DomainError):
        decide_review(review=case, actor=admin_user, decision="dismiss", reason="  ")
    decide_review(review=case, actor=admin_user, decision="dismiss", reason="A data error.")
    active_mark.refresh_from_db()
    assert active_mark.state == MarkState.ACTIVE
    assert MarkReview.objects.get().state == ReviewState.DISMISSED


def test_nightly_twice_changes_nothing_the_second_time(world, active_mark):
    with freeze_time("2026-07-01 10:00:00"):
        register_many(world.shop, 40)
        red_days(world.shop, date(2026, 6, 30), 14, alerts=True)
        first_run = nightly("2026-07-01")

    def snapshot():
        rows = QualityIndicator.objects.order_by("pk").values_list(
            "pk", "key", "day", "value", "low", "high", "sample", "zone", "percentile"
        )
        return (
            list(rows),
            list(ZoneState.objects.order_by("pk").values_list("pk", "zone", "since")),
            list(OutgoingMessage.objects.order_by("pk").values_list("pk", flat=True)),
            list(MarkReview.objects.values_list("pk", "state")),
        )

    first = snapshot()
    with freeze_time("2026-07-01 10:05:00"):
        second_run = nightly("2026-07-01")
    assert snapshot() == first
    assert first_run["rows"] == second_run["rows"] > 0
    assert second_run["ranked"] == 0
    assert second_run["reviews_opened"] == 0


def test_refresh_after_events_recomputes_only_changed_shops(world, active_mark):
    with freeze_time("2026-07-01 10:00:00") as clock:
        refresh_changed()  # the first run sets the mark
        clock.move_to("2026-07-01 10:09:30")
        register_many(world.shop, 3)
        clock.move_to("2026-07-01 10:11:00")
        assert refresh_changed() == 1
        assert QualityIndicator.objects.filter(shop=world.shop, key=Key.CLAIM_RATE).exists()
        assert not QualityIndicator.objects.filter(shop=world.other_shop).exists()
        clock.move_to("2026-07-01 10:12:00")
        assert refresh_changed() == 1  # looked at again within the overlap: harmless
        clock.move_to("2026-07-01 10:30:00")
        assert refresh_changed() == 0


def test_yellow_stricter_than_red_is_refused(world, admin_user):
    threshold = Threshold.objects.get(key=Key.CLAIM_RATE)
    with pytest.raises(Exception, match="cannot be above the red one"):
        update_threshold(
            threshold=threshold, actor=admin_user, yellow=Decimal(60), red=Decimal(50), min_sample=5
        )
    grade = Threshold.objects.get(key=Key.REVIEW_GRADE)
    with pytest.raises(Exception, match="cannot be below the red one"):
        update_threshold(
            threshold=grade, actor=admin_user, yellow=Decimal(2), red=Decimal(3), min_sample=5
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Threshold.objects.filter(pk=threshold.pk).update(yellow=Decimal(99))


def test_threshold_edits_are_recorded_with_who_changed_them(world, admin_user):
    threshold = Threshold.objects.get(key=Key.CLAIM_RATE)
    update_threshold(
        threshold=threshold, actor=admin_user, yellow=Decimal(25), red=Decimal(55), min_sample=40
    )
    event = threshold.events.order_by("-pgh_id").first()
    assert event.yellow == Decimal(25)
    assert event.pgh_context.metadata["user"] == admin_user.pk


def test_a_changed_threshold_moves_the_zone(world, admin_user):
    (row,) = store_day(world.shop, DAY, [YELLOW])
    assert row.zone == "yellow"
    threshold = Threshold.objects.get(key=Key.CLAIM_RATE)
    update_threshold(
        threshold=threshold, actor=admin_user, yellow=Decimal(40), red=Decimal(80), min_sample=30
    )
    (row,) = store_day(world.shop, DAY, [YELLOW])
    assert row.zone == "green"
