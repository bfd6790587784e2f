"""A buyer's personal data: the export holds theirs and nobody else's; erasure pseudonymises
every table and history event while amounts, dates and decisions stay and the history chain
still verifies; an open claim holds the erasure back; the retention task acts once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.errors import Conflict
from core.history_chain import verify
from disputes import services
from disputes.access import buyer_of
from disputes.models import Attachment, Claim, Message
from guarantees.models import Guarantee
from notifications.models import OutgoingMessage
from notifications.services import queue_email
from privacy.erasure import ERASED_TEXT, erase, pseudonym
from privacy.export import export_for
from privacy.retention import enforce_retention, erase_old_cases
from reviews.models import Review
from tests.factories import png_bytes
from tests.guarantees.helpers import register_many
from tests.reviews.helpers import review, reviews_on

BUYER = "nora.buyer@example.com"
OTHER = "olaf.other@example.com"

# Every table of the models that hold a buyer's data, with their history event tables.
BUYER_TABLES = [
    "guarantees_guarantee",
    "guarantees_guaranteeevent",
    "disputes_claim",
    "disputes_claimevent",
    "disputes_message",
    "disputes_messageevent",
    "disputes_attachment",
    "notifications_outgoingmessage",
    "reviews_review",
    "reviews_reviewevent",
    "reviews_invitation",
    "reviews_invitationevent",
    "pghistory_context",
    "accounts_user",
]


def _rows_mentioning(text: str) -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        for table in BUYER_TABLES:
            cursor.execute(
                f"SELECT count(*) FROM {table} t WHERE t::text ILIKE %s",
                [f"%{text}%"],
            )
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found


def _ended_claim(guarantee: Guarantee, words: str) -> Claim:
    """A claim the buyer filed, wrote in with evidence, then withdrew: the case has ended."""
    buyer = buyer_of(guarantee)
    claim = services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="40.00",
        description=f"{words}: the parcel never came.",
        language="en",
    )
    services.post_message(
        actor=buyer,
        claim=claim,
        body=f"{words}: here is my receipt.",
        files=[SimpleUploadedFile("receipt.png", png_bytes(), content_type="image/png")],
    )
    return services.withdraw_claim(actor=buyer, claim=claim, note="Arrived after all.")


@pytest.fixture
def buyers(world, active_mark):
    """Nora with a guarantee whose claim has ended, and Olaf with one of his own."""
    (nora,) = register_many(world.shop, 1, buyer_email=BUYER, buyer_name="Nora Nordwind")
    (olaf,) = register_many(world.shop, 1, buyer_email=OTHER, buyer_name="Olaf Ostwind")
    _ended_claim(nora, "Nora writes")
    _ended_claim(olaf, "Olaf writes")
    reviews_on(world.shop)
    review(
        world.shop,
        comment="Quick and friendly.",
        invitation={"email": BUYER, "name": "Nora Nordwind"},
    )
    return Guarantee.objects.get(pk=nora.pk), Guarantee.objects.get(pk=olaf.pk)


@pytest.mark.django_db
def test_export_holds_the_buyers_data_and_nothing_of_another_buyer(buyers):
    nora, _olaf = buyers
    exported = export_for(BUYER)
    text = json.dumps(exported)
    assert [g["number"] for g in exported["guarantees"]] == [nora.number]
    assert exported["guarantees"][0]["buyer_name"] == "Nora Nordwind"
    assert exported["guarantees"][0]["amount"] == str(nora.amount)
    (claim,) = exported["claims"]
    assert claim["description"] == "Nora writes: the parcel never came."
    assert "Nora writes: here is my receipt." in [m["body"] for m in claim["messages"]]
    assert any(m["attachments"] for m in claim["messages"])
    assert any(m["to_email"] == BUYER for m in exported["emails"])
    assert [r["comment"] for r in exported["reviews"]] == ["Quick and friendly."]
    assert OTHER not in text
    assert "Olaf" not in text


@pytest.mark.django_db
def test_erasure_leaves_the_address_nowhere_and_keeps_amounts_dates_states(buyers):
    nora, olaf = buyers
    claim = Claim.objects.get(guarantee=nora)
    before = {
        "guarantee": Guarantee.objects.filter(pk=nora.pk).values(
            "amount", "cover_amount", "purchase_date", "cover_until", "state", "number"
        )[0],
        "claim": Claim.objects.filter(pk=claim.pk).values(
            "amount", "state", "opened_at", "ended_at", "outcome_note"
        )[0],
    }
    before_review_state = Review.objects.get(comment="Quick and friendly.").state
    assert Review.objects.filter(author_email=BUYER).exists()
    assert _rows_mentioning(BUYER)  # the test would prove nothing if nothing held it
    assert _rows_mentioning("Nordwind")
    assert _rows_mentioning("Nora writes")

    done = erase(email=BUYER, actor=None)
    assert done.guarantees == 1
    assert done.claims == 1

    assert _rows_mentioning(BUYER) == {}
    assert _rows_mentioning("Nordwind") == {}
    assert _rows_mentioning("Nora writes") == {}
    assert (
        Guarantee.objects.filter(pk=nora.pk).values(*before["guarantee"])[0] == before["guarantee"]
    )
    assert Claim.objects.filter(pk=claim.pk).values(*before["claim"])[0] == before["claim"]
    erased = Guarantee.objects.get(pk=nora.pk)
    assert erased.buyer_email == pseudonym(BUYER)
    bodies = set(Message.objects.filter(claim=claim, party="buyer").values_list("body", flat=True))
    assert bodies == {ERASED_TEXT}
    (erased_review,) = Review.objects.filter(shop=nora.shop, comment="Quick and friendly.")
    assert erased_review.author_name == "Erased"
    assert erased_review.state == before_review_state
    # the other buyer is untouched
    assert Guarantee.objects.get(pk=olaf.pk).buyer_email == OTHER
    assert _rows_mentioning("Olaf writes")


@pytest.mark.django_db(transaction=True)
def test_erasure_deletes_the_evidence_files_and_the_history_chain_still_verifies(
    world, active_mark
):
    (nora,) = register_many(world.shop, 1, buyer_email=BUYER, buyer_name="Nora Nordwind")
    claim = _ended_claim(nora, "Nora writes")
    attachment = Attachment.objects.get(message__claim=claim)
    storage, stored = attachment.file.storage, attachment.file.name
    assert verify().ok

    erase(email=BUYER, actor=None)

    assert not storage.exists(stored)
    assert Attachment.objects.get(pk=attachment.pk).name == "erased"
    report = verify()
    assert report.ok, report.faults
    assert report.links > 0
    call_command("verify_history")  # exits 0


@pytest.mark.django_db
def test_an_edited_amount_is_still_found_after_an_erasure(buyers):
    """The erasure's exception covers the personal fields only: the chain still guards the rest."""
    erase(email=BUYER, actor=None)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE guarantees_guaranteeevent SET amount = amount + 1 WHERE buyer_email = %s",
            [pseudonym(BUYER)],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    report = verify()
    assert not report.ok
    assert report.faults[0].table == "guarantees_guaranteeevent"


@pytest.mark.django_db
def test_an_open_claim_holds_the_erasure_back(world, active_mark):
    (nora,) = register_many(world.shop, 1, buyer_email=BUYER, buyer_name="Nora Nordwind")
    services.file_claim(
        actor=buyer_of(nora),
        guarantee=nora,
        reason="not_delivered",
        amount="40.00",
        description="Nothing came.",
        language="en",
    )
    with pytest.raises(Conflict) as refused:
        erase(email=BUYER, actor=None)
    assert "still open" in refused.value.message
    assert Guarantee.objects.get(pk=nora.pk).buyer_email == BUYER
    assert Claim.objects.get(guarantee=nora).description == "Nothing came."


@pytest.mark.django_db
def test_a_shop_team_account_is_not_closed_by_a_buyer_erasure(world, active_mark):
    (alices,) = register_many(world.shop, 1, buyer_email=world.alice.email)
    with pytest.raises(Conflict):
        erase(email=world.alice.email, actor=None)
    world.alice.refresh_from_db()
    assert world.alice.is_active
    assert Guarantee.objects.get(pk=alices.pk).buyer_email == world.alice.email


@pytest.mark.django_db
def test_retention_erases_old_cases_and_email_bodies_once(world, active_mark, settings):
    settings.RETENTION_CLOSED_CASE_DAYS = 10
    settings.RETENTION_OUTBOX_DAYS = 30
    settings.RETENTION_UNCONFIRMED_GUARANTEE_DAYS = 5
    (old, recent) = register_many(world.shop, 2, buyer_email=BUYER, buyer_name="Nora Nordwind")
    _ended_claim(old, "Old words")
    Guarantee.objects.filter(pk=old.pk).update(
        state="expired",
        purchase_date=timezone.localdate() - timedelta(days=70),
        cover_until=timezone.localdate() - timedelta(days=40),
    )
    Claim.objects.filter(guarantee=old).update(ended_at=timezone.now() - timedelta(days=40))
    opt_in = queue_email(to=OTHER, template="privacy_link", context={"data_url": "x"})
    OutgoingMessage.objects.filter(pk=opt_in.pk).update(
        template="guarantee_confirm", status="sent", sent_at=timezone.now()
    )
    OutgoingMessage.objects.filter(to_email=BUYER).update(
        created_at=timezone.now() - timedelta(days=60), status="sent", sent_at=timezone.now()
    )
    OutgoingMessage.objects.filter(pk=opt_in.pk).update(
        created_at=timezone.now() - timedelta(days=6)
    )
    old_bodies = OutgoingMessage.objects.filter(to_email=BUYER).count()
    assert old_bodies

    first = enforce_retention()
    second = enforce_retention()

    assert first == {"cases": 1, "opt_in_emails": 1, "email_bodies": old_bodies}
    assert second == {"cases": 0, "opt_in_emails": 0, "email_bodies": 0}
    assert Guarantee.objects.get(pk=old.pk).buyer_email == pseudonym(BUYER)
    assert Guarantee.objects.get(pk=recent.pk).buyer_email == BUYER
    assert Claim.objects.get(guarantee=old).description == ERASED_TEXT
    assert OutgoingMessage.objects.get(pk=opt_in.pk).to_email == pseudonym(OTHER)
    assert verify().ok


def test_retention_runs_from_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.tasks.enforce_retention" in tasks


@pytest.mark.django_db(transaction=True)
def test_two_retention_runners_at_once_erase_each_case_once(world, active_mark, settings):
    settings.RETENTION_CLOSED_CASE_DAYS = 10
    due = register_many(world.shop, 6, buyer_email=BUYER, buyer_name="Nora Nordwind")
    Guarantee.objects.filter(pk__in=[g.pk for g in due]).update(
        state="expired",
        purchase_date=timezone.localdate() - timedelta(days=70),
        cover_until=timezone.localdate() - timedelta(days=40),
    )
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(erase_old_cases())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 6
    assert not Guarantee.objects.filter(buyer_email=BUYER).exists()
    assert verify().ok
