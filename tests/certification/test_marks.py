import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from certification.marks import (
    expire_due_marks,
    issue_mark,
    reinstate_mark,
    revoke_mark,
    suspend_mark,
)
from certification.models import TrustMark
from certification.selectors import mark_history
from core.errors import Conflict, DomainError, NotPermitted
from tests.factories import ShopFactory, administrator, staff_user

pytestmark = pytest.mark.django_db


def _get(mark):
    return TrustMark.objects.get(pk=mark.pk)


def test_an_issued_mark_has_a_number_and_twelve_months_of_validity(active_mark):
    today = timezone.localdate()
    assert active_mark.number.startswith(f"TM-{today.year}-")
    assert len(active_mark.number) == len("TM-2026-000123")
    assert active_mark.state == "active"
    assert active_mark.valid_from == today
    assert active_mark.valid_until.year == today.year + 1


def test_renewal_extends_the_live_mark_instead_of_issuing_a_second(active_mark, admin_user):
    renewed = issue_mark(shop=active_mark.shop, actor=admin_user)
    assert renewed.pk == active_mark.pk
    assert renewed.valid_until.year == active_mark.valid_until.year + 1
    assert TrustMark.objects.filter(shop=active_mark.shop).count() == 1


def test_suspend_reinstate_and_revoke_are_recorded_with_actor_and_reason(
    active_mark, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        suspend_mark(mark=active_mark, actor=admin_user, reason="unpaid_fees", note="invoice 17")
        reinstate_mark(mark=active_mark, actor=admin_user, note="paid")
        revoke_mark(mark=active_mark, actor=admin_user, reason="fraud proven")
    mark = _get(active_mark)
    assert mark.state == "revoked"
    history = mark_history(mark)
    assert [h.state_to for h in history] == ["Valid", "Suspended", "Valid", "Revoked"]
    assert [h.label for h in history] == ["Issued", "Suspended", "Reinstated", "Revoked"]
    assert history[1].who == admin_user.email
    assert history[1].note == "invoice 17"
    subjects = [m.subject for m in mail.outbox]
    assert any("suspended" in s for s in subjects)
    assert any("valid again" in s for s in subjects)
    assert any("revoked" in s for s in subjects)
    assert all(m.to == ["alice@nordlicht.example"] for m in mail.outbox)


def test_only_administrators_suspend_reinstate_and_revoke(active_mark, world, auditor):
    for person in (auditor, world.alice):
        with pytest.raises(NotPermitted):
            suspend_mark(mark=active_mark, actor=person, reason="other", note="x")
        with pytest.raises(NotPermitted):
            revoke_mark(mark=active_mark, actor=person, reason="x")
    assert _get(active_mark).state == "active"


def test_a_suspension_needs_a_reason_and_other_needs_a_note(active_mark, admin_user):
    with pytest.raises(DomainError) as info:
        suspend_mark(mark=active_mark, actor=admin_user, reason="because", note="")
    assert info.value.field == "reason"
    with pytest.raises(DomainError) as info:
        suspend_mark(mark=active_mark, actor=admin_user, reason="other", note="  ")
    assert info.value.field == "note"
    assert _get(active_mark).state == "active"


def test_transitions_not_allowed_from_the_state_are_refused_and_change_nothing(
    active_mark, admin_user
):
    with pytest.raises(Conflict):
        reinstate_mark(mark=active_mark, actor=admin_user, note="not suspended")
    revoke_mark(mark=active_mark, actor=admin_user, reason="final")
    for attempt in (
        lambda: suspend_mark(mark=active_mark, actor=admin_user, reason="other", note="x"),
        lambda: revoke_mark(mark=active_mark, actor=admin_user, reason="again"),
        lambda: reinstate_mark(mark=active_mark, actor=admin_user, note="back"),
    ):
        with pytest.raises(Conflict):
            attempt()
    mark = _get(active_mark)
    assert (mark.state, mark.status_note) == ("revoked", "final")


def test_expiry_runs_twice_with_the_effect_of_once(active_mark, django_capture_on_commit_callbacks):
    later = active_mark.valid_until + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_due_marks(today=later) == 1
        assert expire_due_marks(today=later) == 0
    assert _get(active_mark).state == "expired"
    assert sum("expired" in m.subject for m in mail.outbox) == 1
    assert mark_history(_get(active_mark))[-1].who == "Trustmark (automatic)"


def test_marks_still_valid_are_not_expired(active_mark):
    assert expire_due_marks(today=active_mark.valid_until) == 0
    assert _get(active_mark).state == "active"


def test_a_new_mark_after_revocation_gets_a_new_number(active_mark, admin_user):
    revoke_mark(mark=active_mark, actor=admin_user, reason="x")
    second = issue_mark(shop=active_mark.shop, actor=admin_user)
    assert second.pk != active_mark.pk
    assert second.number != active_mark.number


def test_buyers_and_merchants_cannot_issue_marks(world):
    with pytest.raises(NotPermitted):
        issue_mark(shop=world.shop, actor=world.alice)


def test_database_refuses_a_second_live_mark_for_a_shop(active_mark):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO certification_trustmark (shop_id, number, state, issued_at, valid_from,"
            " valid_until, suspension_reason, status_note, updated_at)"
            " VALUES (%s, 'TM-RAW-1', 'active', now(), current_date, current_date + 365, '', '',"
            " now())",
            [active_mark.shop_id],
        )


def test_database_refuses_a_suspended_mark_without_a_reason(active_mark):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrustMark.objects.filter(pk=active_mark.pk).update(state="suspended")


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_issues_leave_exactly_one_live_mark():
    admin = administrator()
    shop = ShopFactory()
    barrier = threading.Barrier(20)
    numbers: list[str] = []

    def issue() -> None:
        try:
            barrier.wait()
            numbers.append(issue_mark(shop=shop, actor=admin).number)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert TrustMark.objects.filter(shop=shop).count() == 1
    assert len(set(numbers)) == 1  # the others renewed the one live mark


@pytest.mark.django_db(transaction=True)
def test_two_administrators_suspending_at_once_suspend_once():
    admin = administrator()
    other = staff_user("administrator")
    mark = issue_mark(shop=ShopFactory(), actor=admin)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def suspend(actor) -> None:
        try:
            barrier.wait()
            suspend_mark(mark=mark, actor=actor, reason="unpaid_fees")
            outcomes.append("done")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=suspend, args=(a,)) for a in (admin, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "refused"]
    assert len([h for h in mark_history(_get(mark)) if h.label == "Suspended"]) == 1
