"""Recourse: an administrator records that a member paid a debt back, once; the balance and the
shop's open-recourse indicator follow."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import ProgrammingError, connection
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, DomainError, NotPermitted
from disputes import services
from disputes.models import RecourseEntry, RecourseReimbursement
from disputes.payouts import approve_payout, mark_paid
from disputes.recourse import record_reimbursement
from disputes.selectors import recourse_balances
from quality.definitions import Key
from quality.measures import recourse_measures
from tests.disputes.test_workflow import file
from tests.factories import PASSWORD


@pytest.fixture
def debt(guarantee, buyer, shop_side, staff):
    claim = file(buyer, guarantee, amount="80.00")
    claim = services.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="No.")
    claim = services.reject_answer(actor=buyer, claim=claim, reason="Yes.")
    claim = services.decide_claim(actor=staff, claim=claim, for_buyer=True, reason="Proven.")
    payout = approve_payout(actor=staff, payout=claim.payout)
    mark_paid(actor=staff, payout=payout, reference="SEPA-1")
    return RecourseEntry.objects.get()


def _open(shop_id, day):
    return {m.key: m for m in recourse_measures(shop_id, day)}[Key.RECOURSE_AMOUNT]


def test_a_paid_back_debt_leaves_the_balance_and_the_indicator(debt, admin_user):
    today = timezone.localdate()
    assert recourse_balances()[0]["total"] == Decimal("80.00")
    assert _open(debt.shop_id, today).value == Decimal("80.00")
    record_reimbursement(entry=debt, actor=admin_user, received_on=today, reference="BANK-77")
    assert recourse_balances() == []
    assert _open(debt.shop_id, today).value == 0


def test_only_administrators_record_and_only_once(debt, admin_user, staff):
    with pytest.raises(NotPermitted):
        record_reimbursement(entry=debt, actor=staff, received_on=timezone.localdate())
    record_reimbursement(entry=debt, actor=admin_user, received_on=timezone.localdate())
    with pytest.raises(Conflict):
        record_reimbursement(entry=debt, actor=admin_user, received_on=timezone.localdate())
    assert RecourseReimbursement.objects.count() == 1


def test_a_payment_in_the_future_is_refused(debt, admin_user):
    with pytest.raises(DomainError) as refused:
        record_reimbursement(
            entry=debt, actor=admin_user, received_on=timezone.localdate() + timedelta(days=1)
        )
    assert refused.value.field == "received_on"
    assert not RecourseReimbursement.objects.exists()


def test_a_recorded_payment_cannot_be_changed(debt, admin_user):
    record_reimbursement(entry=debt, actor=admin_user, received_on=timezone.localdate())
    with pytest.raises(ProgrammingError, match="Cannot update"), connection.cursor() as cursor:
        cursor.execute("UPDATE disputes_recoursereimbursement SET reference = 'changed'")


def test_the_recourse_page_records_a_payment(client, debt, admin_user, mediator):
    client.login(username=mediator.email, password=PASSWORD)
    url = reverse("disputes:recourse_reimbursed", args=[debt.pk])
    assert client.post(url, {"received_on": timezone.localdate().isoformat()}).status_code == 404
    client.login(username=admin_user.email, password=PASSWORD)
    page = client.get(reverse("disputes:recourse"))
    assert debt.payout.claim.number in page.content.decode()
    assert client.post(url, {"received_on": "yesterday-ish"}).status_code == 422
    done = client.post(url, {"received_on": timezone.localdate().isoformat(), "reference": "B-1"})
    assert done.status_code == 302
    assert RecourseReimbursement.objects.get().reference == "B-1"
    assert "Nothing owed." in client.get(reverse("disputes:recourse")).content.decode()
