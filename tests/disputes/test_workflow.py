"""The case workflow through its services: every path a claim can take, and every refusal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, DomainError, NotPermitted
from disputes import services
from disputes.access import buyer_of
from disputes.models import Claim, Message, Payout, RecourseEntry
from disputes.payouts import approve_payout, mark_paid
from guarantees.models import Guarantee
from guarantees.services import cancel_guarantee, register_guarantee
from notifications.models import OutgoingMessage
from tests.factories import png_bytes
from tests.guarantees.helpers import purchase

pytestmark = pytest.mark.django_db

PNG = png_bytes()


def file(buyer, guarantee, **changes):
    data = {
        "reason": "not_delivered",
        "amount": "3000.00",
        "description": "The parcel never came.",
        "language": "fr",
    }
    data.update(changes)
    return services.file_claim(actor=buyer, guarantee=guarantee, **data)


def history(claim):
    return (
        claim.events.count() + Message.pgh_event_model.objects.filter(pgh_obj__claim=claim).count()
    )


def test_filing_claims_the_guarantee_extends_its_cover_and_asks_the_shop(
    guarantee, buyer, world, settings
):
    before = guarantee.cover_until
    claim = file(buyer, guarantee)
    guarantee.refresh_from_db()
    assert claim.state == "awaiting_shop"
    assert claim.number.startswith("C-")
    assert guarantee.state == "claimed"
    assert guarantee.cover_until == before + timedelta(days=settings.CLAIM_COVER_EXTENSION_DAYS)
    assert claim.shop_due_at.date() == (timezone.now() + timedelta(days=7)).date()
    mails = OutgoingMessage.objects.filter(template="claim_changed")
    assert {m.to_email for m in mails} == {world.alice.email, world.bob.email, "ines@example.org"}
    assert {m.language for m in mails if m.to_email == "ines@example.org"} == {"fr"}
    assert {m.language for m in mails if m.to_email == world.alice.email} == {"de"}
    assert history(claim) == 3  # filed, sent to the shop, the buyer's first post


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "3000.01"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"reason": "bored"}, "reason"),
        ({"description": "  "}, "description"),
    ],
)
def test_bad_claims_name_the_field_and_change_nothing(guarantee, buyer, changes, field):
    with pytest.raises(DomainError) as info:
        file(buyer, guarantee, **changes)
    assert info.value.field == field
    assert not Claim.objects.exists()
    assert Guarantee.objects.get(pk=guarantee.pk).state == "active"


def test_claims_need_an_active_guarantee_of_ones_own_within_its_cover(guarantee, buyer, world):
    other = register_guarantee(
        shop=world.shop, purchase=purchase(order_reference="Z-9"), channel="api"
    )
    with pytest.raises(NotPermitted):
        file(buyer, other)
    file(buyer, guarantee)
    with pytest.raises(Conflict, match="already has an open claim"):
        file(buyer, guarantee)
    cancel_guarantee(guarantee=other, actor=None, by_buyer_email=other.buyer_email)
    with pytest.raises(Conflict, match="cancelled"):
        file(buyer_of(other), other)
    late = register_guarantee(
        shop=world.shop,
        purchase=purchase(
            order_reference="Z-10", purchase_date=timezone.localdate() - timedelta(days=20)
        ),
        channel="api",
    )
    Guarantee.objects.filter(pk=late.pk).update(cover_until=timezone.localdate() - timedelta(1))
    with pytest.raises(Conflict, match="cover ended"):
        file(buyer_of(late), late)
    assert Claim.objects.count() == 1


def test_the_buyer_accepts_the_shops_answer(guarantee, buyer, shop_side):
    claim = file(buyer, guarantee)
    with pytest.raises(DomainError, match="tracking"):
        services.answer_claim(actor=shop_side, claim=claim, answer="delivered", carrier="DHL")
    claim = services.answer_claim(
        actor=shop_side, claim=claim, answer="delivered", carrier="DHL", tracking="00340434"
    )
    assert claim.state == "shop_answered"
    with pytest.raises(NotPermitted):
        services.accept_answer(actor=shop_side, claim=claim)
    claim = services.accept_answer(actor=buyer, claim=claim)
    assert claim.state == "resolved"
    assert Guarantee.objects.get(pk=guarantee.pk).state == "closed"
    with pytest.raises(Conflict, match="closed"):
        services.post_message(actor=buyer, claim=claim, body="One more thing")


def test_a_refund_needs_proof_and_a_dispute_needs_reasons(guarantee, buyer, shop_side):
    claim = file(buyer, guarantee)
    with pytest.raises(DomainError) as refund:
        services.answer_claim(actor=shop_side, claim=claim, answer="refunded")
    assert refund.value.field == "files"
    with pytest.raises(DomainError) as dispute:
        services.answer_claim(actor=shop_side, claim=claim, answer="disputed")
    assert dispute.value.field == "text"
    proof = SimpleUploadedFile("refund.png", PNG, content_type="image/png")
    claim = services.answer_claim(actor=shop_side, claim=claim, answer="refunded", files=[proof])
    attachment = claim.messages.last().attachments.get()
    assert (attachment.content_type, attachment.name) == ("image/png", "refund.png")


def test_from_rejection_through_mediation_to_payout(
    guarantee, buyer, shop_side, staff, second_staff, settings
):
    settings.PAYOUT_FOUR_EYES_ABOVE = Decimal("2500")
    claim = file(buyer, guarantee)
    claim = services.answer_claim(
        actor=shop_side, claim=claim, answer="disputed", text="It was delivered to a neighbour."
    )
    claim = services.reject_answer(actor=buyer, claim=claim, reason="No neighbour has it.")
    assert claim.state == "in_mediation"
    claim = services.request_information(
        actor=staff, claim=claim, party="shop", question="Who signed for it?"
    )
    assert claim.state == "awaiting_information"
    services.post_message(actor=shop_side, claim=claim, body="Nobody signed.")
    claim.refresh_from_db()
    assert claim.state == "in_mediation"
    with pytest.raises(DomainError) as over:
        services.decide_claim(
            actor=staff, claim=claim, for_buyer=True, amount="3000.01", reason="Not delivered."
        )
    assert over.value.field == "amount"
    claim = services.decide_claim(
        actor=staff, claim=claim, for_buyer=True, amount="2800.00", reason="Not delivered."
    )
    assert claim.state == "decided_for_buyer"
    with pytest.raises(Conflict, match="only once"):
        services.decide_claim(actor=second_staff, claim=claim, for_buyer=False, reason="No")
    payout = claim.payout
    assert (payout.amount, payout.state) == (Decimal("2800.00"), "proposed")
    with pytest.raises(NotPermitted, match="second staff member"):
        approve_payout(actor=staff, payout=payout)
    payout = approve_payout(actor=second_staff, payout=payout)
    with pytest.raises(DomainError):
        mark_paid(actor=staff, payout=payout, reference=" ")
    mail.outbox.clear()
    payout = mark_paid(actor=staff, payout=payout, reference="SEPA-2026-11-0042")
    claim.refresh_from_db()
    assert (payout.state, claim.state) == ("paid", "closed")
    assert Guarantee.objects.get(pk=guarantee.pk).state == "closed"
    debt = RecourseEntry.objects.get()
    assert (debt.member_id, debt.amount) == (guarantee.shop.member_id, Decimal("2800.00"))
    with pytest.raises(Conflict):
        mark_paid(actor=second_staff, payout=payout, reference="again")
    assert RecourseEntry.objects.count() == 1


def test_a_small_payout_may_be_approved_by_its_proposer(guarantee, buyer, shop_side, staff):
    claim = file(buyer, guarantee, amount="80.00")
    services.settle_claim  # noqa: B018 - the shop could still settle here
    claim = services.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="No.")
    claim = services.reject_answer(actor=buyer, claim=claim, reason="Yes.")
    claim = services.decide_claim(actor=staff, claim=claim, for_buyer=True, reason="Proven.")
    assert claim.decision_amount == Decimal("80.00")
    assert approve_payout(actor=staff, payout=claim.payout).state == "approved"


def test_the_shop_settles_or_the_buyer_withdraws_before_a_decision(
    guarantee, buyer, shop_side, world
):
    claim = file(buyer, guarantee)
    claim = services.withdraw_claim(actor=buyer, claim=claim, note="It came today.")
    assert claim.state == "withdrawn"
    assert Guarantee.objects.get(pk=guarantee.pk).state == "active"
    again = file(buyer, Guarantee.objects.get(pk=guarantee.pk))
    settled = services.settle_claim(actor=shop_side, claim=again, note="Refunded in full.")
    assert settled.state == "resolved"
    with pytest.raises(Conflict):
        services.withdraw_claim(actor=buyer, claim=settled)


def test_decision_for_the_shop_ends_the_case_and_the_guarantee(guarantee, buyer, shop_side, staff):
    claim = file(buyer, guarantee)
    claim = services.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="No.")
    claim = services.reject_answer(actor=buyer, claim=claim, reason="Yes.")
    claim = services.decide_claim(actor=staff, claim=claim, for_buyer=False, reason="Tracked.")
    assert claim.state == "decided_for_shop"
    assert not Payout.objects.exists()
    assert Guarantee.objects.get(pk=guarantee.pk).state == "closed"


def test_only_staff_write_internal_notes_and_parties_act_only_as_themselves(
    guarantee, buyer, shop_side, staff, world
):
    from disputes.access import CaseActor

    claim = file(buyer, guarantee)
    with pytest.raises(NotPermitted):
        services.post_message(actor=shop_side, claim=claim, body="psst", internal=True)
    note = services.post_message(
        actor=staff, claim=claim, body="Shop known for this", internal=True
    )
    assert note.internal
    outsider = CaseActor(user=world.charlie, party="shop")
    with pytest.raises(NotPermitted):
        services.post_message(actor=outsider, claim=claim, body="hello")
    fake_staff = CaseActor(user=world.alice, party="staff")
    with pytest.raises(NotPermitted):
        services.decide_claim(actor=fake_staff, claim=claim, for_buyer=False, reason="mine")


def test_uploads_are_checked_by_content_and_size(guarantee, buyer, settings):
    claim = file(buyer, guarantee)
    fake = SimpleUploadedFile("invoice.pdf", b"<html>not a pdf</html>")
    with pytest.raises(DomainError, match="PDF, PNG, JPEG, WebP or plain text"):
        services.post_message(actor=buyer, claim=claim, body="see file", files=[fake])
    settings.CLAIM_ATTACHMENT_MAX_BYTES = 50
    with pytest.raises(DomainError, match="too large"):
        services.post_message(
            actor=buyer, claim=claim, body="see", files=[SimpleUploadedFile("a.png", PNG)]
        )
    assert claim.messages.count() == 1


def test_the_database_refuses_what_the_services_refuse(guarantee, buyer, staff):
    claim = file(buyer, guarantee)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            number="C-X-1",
            guarantee=guarantee,
            shop=guarantee.shop,
            reason="other",
            amount=1,
            currency="EUR",
            description="second",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(
            claim=claim,
            amount=Decimal("3000.01"),
            currency="EUR",
            cover_amount=guarantee.cover_amount,
            proposed_by=staff.user,
        )
    message = claim.messages.get()
    with pytest.raises(Exception, match="Cannot update"), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(body="rewritten")
