"""The history chain: every money and mark event is hash-linked, per shop, in PostgreSQL;
verify_history finds an edited, deleted or unchained event; the database refuses UPDATE and
DELETE of events and links."""

from __future__ import annotations

import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification.marks import issue_mark, suspend_mark
from certification.models import MembershipPlan
from core.history_chain import chained_tables, link_hash, verify
from core.models import HistoryChainHead, HistoryLink
from disputes import services
from disputes.access import CaseActor, buyer_of
from disputes.models import Party
from disputes.payouts import approve_payout, mark_paid
from disputes.recourse import record_reimbursement
from guarantees.models import Guarantee
from tests.factories import ShopFactory, administrator
from tests.guarantees.helpers import register_many

MONEY_AND_MARK_TABLES = {
    "guarantees_guaranteeevent",
    "disputes_claimevent",
    "disputes_messageevent",
    "disputes_payoutevent",
    "disputes_recourseentry",
    "disputes_recoursereimbursementevent",
    "certification_trustmarkevent",
}


@pytest.fixture
def workflow(world, active_mark, admin_user, mediator):
    """A guarantee on alice's shop whose claim was decided for the buyer, paid and paid back."""
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    world.shop.save(update_fields=["plan"])
    (guarantee,) = register_many(world.shop, 1, amount="300.00", plan="plus")
    buyer = buyer_of(guarantee)
    shop_side = CaseActor(user=world.alice, party=Party.SHOP)
    staff = CaseActor(user=mediator, party=Party.STAFF)
    claim = services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="80.00",
        description="The parcel never came.",
        language="en",
    )
    claim = services.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="No.")
    claim = services.reject_answer(actor=buyer, claim=claim, reason="Yes.")
    claim = services.decide_claim(actor=staff, claim=claim, for_buyer=True, reason="Proven.")
    payout = approve_payout(actor=staff, payout=claim.payout)
    mark_paid(actor=staff, payout=payout, reference="SEPA-1")
    record_reimbursement(entry=payout.recourse, actor=admin_user, received_on=timezone.localdate())
    return world.shop


def _chain(shop_id: int) -> list[HistoryLink]:
    return list(HistoryLink.objects.filter(chain=shop_id).order_by("seq"))


def _verify_output() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_history", stdout=out, stderr=err)
    return str(failed.value), err.getvalue()


def _untriggered(sql: str, params: list) -> None:
    """Run one statement as a replica would: no triggers, the way an intruder would edit."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.mark.django_db
def test_the_money_and_mark_tables_carry_the_chain_trigger():
    assert set(chained_tables()) == MONEY_AND_MARK_TABLES


@pytest.mark.django_db
def test_the_whole_workflow_lands_in_the_shops_chain_hash_linked(workflow):
    links = _chain(workflow.pk)
    assert {link.event_table for link in links} == MONEY_AND_MARK_TABLES
    assert [link.seq for link in links] == list(range(1, len(links) + 1))
    assert links[0].prev_hash == ""
    for before, after in itertools.pairwise(links):
        assert after.prev_hash == before.hash
    head = HistoryChainHead.objects.get(chain=workflow.pk)
    assert (head.seq, head.hash) == (links[-1].seq, links[-1].hash)
    assert not HistoryLink.objects.exclude(chain=workflow.pk).filter(
        event_table="guarantees_guaranteeevent"
    )
    out = StringIO()
    call_command("verify_history", stdout=out)
    assert "History chain intact." in out.getvalue()


@pytest.mark.django_db
def test_a_hash_is_sha256_over_the_previous_hash_and_the_events_json(active_mark, admin_user):
    suspend_mark(mark=active_mark, actor=admin_user, reason="unpaid_fees")
    link = _chain(active_mark.shop_id)[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT jsonb_strip_nulls(to_jsonb(e))::text FROM certification_trustmarkevent e "
            "WHERE pgh_id = %s",
            [link.event_pk],
        )
        (payload,) = cursor.fetchone()
    assert '"state": "suspended"' in payload
    assert link.hash == link_hash(link.prev_hash, payload)


@pytest.mark.django_db
def test_registering_a_guarantee_sends_no_chain_statement_from_the_application(active_mark):
    with CaptureQueriesContext(connection) as queries:
        register_many(active_mark.shop, 1)
    assert not [q for q in queries.captured_queries if "core_history" in q["sql"]]
    assert HistoryLink.objects.filter(event_table="guarantees_guaranteeevent").count() == 1


def _first(shop_id: int, table: str) -> HistoryLink:
    return next(link for link in _chain(shop_id) if link.event_table == table)


@pytest.mark.django_db
def test_an_event_edited_behind_the_triggers_is_named(active_mark, admin_user):
    shop_id = active_mark.shop_id
    register_many(active_mark.shop, 2)
    suspend_mark(mark=active_mark, actor=admin_user, reason="unpaid_fees")
    link = _first(shop_id, "guarantees_guaranteeevent")
    _untriggered(
        "UPDATE guarantees_guaranteeevent SET amount = amount + 1 WHERE pgh_id = %s",
        [link.event_pk],
    )
    message, err = _verify_output()
    assert f"chain {shop_id} seq {link.seq}: guarantees_guaranteeevent pk={link.event_pk}" in (
        message
    )
    assert "changed after it was written" in message
    assert err.count("BROKEN") == 1  # one chain, named once, at its first bad event


@pytest.mark.django_db
def test_an_event_deleted_behind_the_triggers_is_named(active_mark, admin_user):
    register_many(active_mark.shop, 1)
    suspend_mark(mark=active_mark, actor=admin_user, reason="unpaid_fees")
    link = _chain(active_mark.shop_id)[0]  # the mark's issue
    assert link.event_table == "certification_trustmarkevent"
    _untriggered("DELETE FROM certification_trustmarkevent WHERE pgh_id = %s", [link.event_pk])
    message, _ = _verify_output()
    assert f"seq 1: certification_trustmarkevent pk={link.event_pk}" in message
    assert "missing (deleted)" in message


@pytest.mark.django_db
def test_links_cut_off_the_end_or_an_event_slipped_in_unchained_are_found(active_mark):
    last = _chain(active_mark.shop_id)[-1]
    _untriggered("DELETE FROM core_historylink WHERE id = %s", [last.pk])
    message, _ = _verify_output()
    assert "the last links are missing" in message
    _untriggered(
        "INSERT INTO core_historylink SELECT %s, %s, %s, %s, %s, %s, %s, %s",
        [
            last.pk,
            last.chain,
            last.seq,
            last.event_table,
            last.event_pk,
            last.prev_hash,
            last.hash,
            last.recorded_at,
        ],
    )
    _untriggered(
        "INSERT INTO certification_trustmarkevent SELECT (jsonb_populate_record(e, "
        "jsonb_build_object('pgh_id', nextval(pg_get_serial_sequence("
        "'certification_trustmarkevent', 'pgh_id'))))).* "
        "FROM certification_trustmarkevent e WHERE pgh_id = %s",
        [last.event_pk],
    )
    message, _ = _verify_output()
    assert "certification_trustmarkevent" in message
    assert "not chained" in message


@pytest.mark.django_db
def test_the_database_refuses_update_and_delete_of_events_and_links(workflow):
    tables = chained_tables() | {"core_historylink": "id"}
    for table, pk in tables.items():
        for statement in (f"UPDATE {table} SET {pk} = {pk}", f"DELETE FROM {table}"):
            with (
                pytest.raises(DatabaseError, match="Cannot update or delete"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
    assert HistoryLink.objects.filter(chain=workflow.pk).count() == len(_chain(workflow.pk)) > 7


@pytest.mark.django_db(transaction=True)
def test_two_writers_in_one_shop_do_not_fork_its_chain():
    shop = ShopFactory()
    issue_mark(shop=shop, actor=administrator())
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            barrier.wait()
            register_many(shop, 8)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Guarantee.objects.filter(shop=shop).count() == 16
    links = _chain(shop.pk)
    assert [link.seq for link in links] == list(range(1, 18))  # the mark's event, 16 guarantees
    assert len({link.prev_hash for link in links}) == 17  # no two links share a parent
    assert verify().ok
