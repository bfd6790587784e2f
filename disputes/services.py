"""The case workflow: file, answer, accept or reject, settle, withdraw, mediate, decide.

Every change runs in one transaction with the claim row locked, checks that
the actor's party may make it now, writes its history (pghistory events with
the actor in the context; one event per transition and per message) and
queues the emails to the other parties. Payouts are in disputes.payouts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from core.money import parse_amount
from disputes.access import CaseActor, is_mediator, shop_actor
from disputes.evidence import attach, check_files
from disputes.models import (
    MEDIATION_STATES,
    Claim,
    ClaimReason,
    ClaimState,
    Message,
    Party,
    Payout,
    ShopAnswer,
)
from disputes.notify import tell
from disputes.webhooks import emit_claim
from guarantees.models import Guarantee, GuaranteeState

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}
ENDED = [ClaimState.RESOLVED, ClaimState.WITHDRAWN, ClaimState.DECIDED_FOR_SHOP, ClaimState.CLOSED]


def _next_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('disputes_claim_number_seq')")
        (value,) = cursor.fetchone()
    return f"C-{timezone.localdate().year}-{value:07d}"


def require_party(actor: CaseActor, claim: Claim, *parties: str) -> None:
    """The actor is one of `parties` on this very case, re-checked against the database."""
    allowed = actor.party in parties
    if allowed and actor.party == Party.BUYER:
        allowed = actor.guarantee_id == claim.guarantee_id
    elif allowed and actor.party == Party.SHOP:
        allowed = shop_actor(actor.user, claim) is not None
    elif allowed and actor.party == Party.STAFF:
        allowed = is_mediator(actor.user)
    if not allowed:
        raise NotPermitted(_("You may not do this on this case."))


def _locked(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("guarantee", "shop", "mediator")
        .get(pk=claim.pk)
    )


def _text(value: str, field: str, message: str, *, limit: int = 5000) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field=field)
    if len(text) > limit:
        raise DomainError(
            _("At most %(limit)s characters, please.") % {"limit": limit}, field=field
        )
    return text


def _post(
    claim: Claim,
    actor: CaseActor,
    body: str,
    files: Sequence[UploadedFile] = (),
    *,
    internal: bool = False,
) -> Message:
    message = Message.objects.create(
        claim=claim, author=actor.user, party=actor.party, body=body, internal=internal
    )
    attach(message, files)
    return message


def _save(claim: Claim, actor: CaseActor | None, action: str) -> None:
    with acting(actor.user if actor else None, action, party=actor.party if actor else "system"):
        claim.save()


def _close_guarantee(guarantee: Guarantee, actor: CaseActor | None, action: str) -> None:
    if guarantee.state == GuaranteeState.CLAIMED:
        guarantee.close()
        with acting(actor.user if actor else None, action):
            guarantee.save(update_fields=["state", "updated_at"])


def file_claim(
    *,
    actor: CaseActor,
    guarantee: Guarantee,
    reason: str,
    amount: Any,
    description: str,
    files: Sequence[UploadedFile] = (),
    language: str = "",
) -> Claim:
    """The buyer claims on an active guarantee within its cover; the shop is asked to answer."""
    if actor.party != Party.BUYER or actor.guarantee_id != guarantee.pk:
        raise NotPermitted(_("Only the buyer may file a claim on this guarantee."))
    if reason not in ClaimReason.values:
        raise DomainError(_("Choose what went wrong."), field="reason")
    description = _text(
        description, "description", _("Describe what happened and what you expect.")
    )
    check_files(files)
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = (
                Guarantee.objects.select_for_update().select_related("shop").get(pk=guarantee.pk)
            )
            if locked.state == GuaranteeState.CLAIMED:
                raise Conflict(_("This guarantee already has an open claim."))
            if locked.state != GuaranteeState.ACTIVE:
                raise Conflict(
                    _("A claim needs an active guarantee; this one is %(state)s.")
                    % {"state": locked.get_state_display().lower()}
                )
            if timezone.localdate() > locked.cover_until:
                raise Conflict(
                    _("The cover ended on %(date)s: a claim can no longer be filed.")
                    % {"date": locked.cover_until.isoformat()}
                )
            claimed = parse_amount(amount, locked.currency)
            if claimed > locked.cover_amount:
                raise DomainError(
                    _("At most the amount covered: %(cover)s %(currency)s.")
                    % {"cover": locked.cover_amount, "currency": locked.currency},
                    field="amount",
                )
            with acting(actor.user, "claim_filed", party=Party.BUYER):
                claim = Claim.objects.create(
                    number=_next_number(),
                    guarantee=locked,
                    shop=locked.shop,
                    reason=reason,
                    amount=claimed,
                    currency=locked.currency,
                    description=description,
                    language=language if language in SUPPORTED_LANGUAGES else locked.language,
                    cover_until_before=locked.cover_until,
                )
                locked.open_claim()
                locked.cover_until += timedelta(days=settings.CLAIM_COVER_EXTENSION_DAYS)
                locked.save(update_fields=["state", "cover_until", "updated_at"])
                _post(claim, actor, description, files)
            claim.ask_shop(due=now + timedelta(days=settings.CLAIM_SHOP_ANSWER_DAYS))
            _save(claim, None, "claim_sent_to_shop")
            tell(claim, "filed", [Party.SHOP])
            emit_claim("claim.filed", claim)
            tell(claim, "received", [Party.BUYER])
    except IntegrityError as exc:
        if "disputes_one_open_claim_per_guarantee" in str(exc):
            raise Conflict(_("This guarantee already has an open claim.")) from exc
        raise
    return claim


def answer_claim(
    *,
    actor: CaseActor,
    claim: Claim,
    answer: str,
    text: str = "",
    carrier: str = "",
    tracking: str = "",
    files: Sequence[UploadedFile] = (),
) -> Claim:
    """The shop answers: delivered (carrier, tracking), refunded (proof) or disputed (reasons)."""
    require_party(actor, claim, Party.SHOP)
    if answer not in ShopAnswer.values:
        raise DomainError(_("Choose delivered, refunded or disputed."), field="answer")
    carrier, tracking, text = carrier.strip(), tracking.strip(), (text or "").strip()
    if answer == ShopAnswer.DELIVERED and not (carrier and tracking):
        raise DomainError(_("Give the carrier and the tracking number."), field="tracking")
    if answer == ShopAnswer.REFUNDED and not files:
        raise DomainError(_("Attach the proof of the refund."), field="files")
    if answer == ShopAnswer.DISPUTED:
        text = _text(text, "text", _("Explain why you dispute the claim."))
    check_files(files)
    with transaction.atomic():
        claim = _locked(claim)
        if claim.state != ClaimState.AWAITING_SHOP:
            raise Conflict(_("The shop can answer only while the case waits for it."))
        claim.shop_answers(answer, text, carrier[:100], tracking[:100])
        _save(claim, actor, "claim_answered")
        summary = ShopAnswer(answer).label
        if answer == ShopAnswer.DELIVERED:
            summary = f"{summary}: {carrier}, {tracking}"
        _post(claim, actor, f"{summary}\n\n{text}".strip(), files)
        tell(claim, "answered", [Party.BUYER])
    return claim


def accept_answer(*, actor: CaseActor, claim: Claim) -> Claim:
    """The buyer accepts the shop's answer: the case is resolved."""
    require_party(actor, claim, Party.BUYER)
    with transaction.atomic():
        claim = _locked(claim)
        if claim.state != ClaimState.SHOP_ANSWERED:
            raise Conflict(_("There is no answer from the shop to accept."))
        claim.accept_answer()
        _save(claim, actor, "claim_answer_accepted")
        _close_guarantee(claim.guarantee, actor, "claim_resolved")
        tell(claim, "accepted", [Party.SHOP])
        emit_claim("claim.closed", claim)
    return claim


def reject_answer(*, actor: CaseActor, claim: Claim, reason: str) -> Claim:
    """The buyer rejects the shop's answer: a mediator takes the case."""
    require_party(actor, claim, Party.BUYER)
    reason = _text(reason, "reason", _("Say why the shop's answer does not settle it."))
    with transaction.atomic():
        claim = _locked(claim)
        if claim.state != ClaimState.SHOP_ANSWERED:
            raise Conflict(_("There is no answer from the shop to reject."))
        claim.reject_answer()
        _save(claim, actor, "claim_answer_rejected")
        _post(claim, actor, reason)
        tell(claim, "rejected", [Party.SHOP, Party.STAFF])
        emit_claim("claim.escalated", claim)
    return claim


def settle_claim(*, actor: CaseActor, claim: Claim, note: str) -> Claim:
    """The shop settles with the buyer before any decision: the case is resolved."""
    require_party(actor, claim, Party.SHOP)
    note = _text(note, "note", _("Say how you settled with the buyer."))
    with transaction.atomic():
        claim = _locked(claim)
        if not claim.is_undecided:
            raise Conflict(_("The case is already decided or ended."))
        claim.settle(note)
        _save(claim, actor, "claim_settled")
        _post(claim, actor, note)
        _close_guarantee(claim.guarantee, actor, "claim_resolved")
        tell(claim, "settled", [Party.BUYER, *([Party.STAFF] if claim.mediator_id else [])])
        emit_claim("claim.closed", claim)
    return claim


def withdraw_claim(*, actor: CaseActor, claim: Claim, note: str = "") -> Claim:
    """The buyer withdraws before a decision; the purchase is protected again."""
    require_party(actor, claim, Party.BUYER)
    with transaction.atomic():
        claim = _locked(claim)
        if not claim.is_undecided:
            raise Conflict(_("The case is already decided or ended."))
        claim.withdraw((note or "").strip()[:2000])
        _save(claim, actor, "claim_withdrawn")
        guarantee = claim.guarantee
        if guarantee.state == GuaranteeState.CLAIMED:
            guarantee.release()
            guarantee.cover_until = claim.cover_until_before  # the extension was for the claim
            with acting(actor.user, "claim_withdrawn"):
                guarantee.save(update_fields=["state", "cover_until", "updated_at"])
        tell(claim, "withdrawn", [Party.SHOP, *([Party.STAFF] if claim.mediator_id else [])])
        emit_claim("claim.closed", claim)
    return claim


def assign_case(*, actor: CaseActor, claim: Claim, mediator: Any | None = None) -> Claim:
    """A mediator takes the case, or hands it to another mediator."""
    require_party(actor, claim, Party.STAFF)
    mediator = mediator or actor.user
    if not is_mediator(mediator):
        raise DomainError(_("Cases go to mediators only."), field="mediator")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.state in ENDED:
            raise Conflict(_("The case has ended."))
        if claim.mediator_id == mediator.pk:
            return claim
        claim.mediator = mediator
        _save(claim, actor, "claim_assigned")
        if mediator.pk != actor.user.pk:
            tell(claim, "assigned", [Party.STAFF])
    return claim


def request_information(
    *, actor: CaseActor, claim: Claim, party: str, question: str, days: int | None = None
) -> Claim:
    """The mediator asks the buyer or the shop for something, with a deadline."""
    require_party(actor, claim, Party.STAFF)
    if party not in (Party.BUYER, Party.SHOP):
        raise DomainError(_("Ask the buyer or the shop."), field="party")
    question = _text(question, "question", _("Write the question."))
    days = days or settings.CLAIM_INFORMATION_DAYS
    if not 1 <= days <= 60:
        raise DomainError(_("Give between 1 and 60 days."), field="days")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.state != ClaimState.IN_MEDIATION:
            raise Conflict(_("Information can be asked for only while the case is in mediation."))
        claim.request_information(party, question, timezone.now() + timedelta(days=days))
        if claim.mediator_id is None:
            claim.mediator = actor.user
        _save(claim, actor, "claim_information_requested")
        _post(claim, actor, question)
        tell(claim, "information_requested", [party])
    return claim


def resume_mediation(*, actor: CaseActor, claim: Claim) -> Claim:
    """The mediator goes on without waiting longer for the information asked for."""
    require_party(actor, claim, Party.STAFF)
    with transaction.atomic():
        claim = _locked(claim)
        if claim.state != ClaimState.AWAITING_INFORMATION:
            raise Conflict(_("The case is not waiting for information."))
        claim.resume_mediation()
        _save(claim, actor, "claim_mediation_resumed")
    return claim


def post_message(
    *,
    actor: CaseActor,
    claim: Claim,
    body: str,
    files: Sequence[UploadedFile] = (),
    internal: bool = False,
) -> Message:
    """A post in the case's thread; the other parties are told (internal notes: staff only)."""
    require_party(actor, claim, Party.BUYER, Party.SHOP, Party.STAFF)
    if internal and actor.party != Party.STAFF:
        raise NotPermitted(_("Only Trustmark staff write internal notes."))
    body = _text(body, "body", _("Write a message."))
    check_files(files)
    with transaction.atomic():
        claim = _locked(claim)
        if claim.state in ENDED:
            raise Conflict(_("The case is closed: no more messages."))
        message = _post(claim, actor, body, files, internal=internal)
        if claim.state == ClaimState.AWAITING_INFORMATION and actor.party == claim.info_from:
            claim.resume_mediation()
            _save(claim, actor, "claim_information_given")
        if not internal:
            others = {Party.BUYER, Party.SHOP} - {actor.party}
            if actor.party != Party.STAFF and (
                claim.mediator_id or claim.state in MEDIATION_STATES
            ):
                others.add(Party.STAFF)
            tell(claim, "message", others, exclude=actor.user, excerpt=body[:500])
    return message


def decide_claim(
    *,
    actor: CaseActor,
    claim: Claim,
    for_buyer: bool,
    reason: str,
    amount: Any = None,
) -> Claim:
    """The mediator decides. For the buyer, a payout of the amount decided is proposed at once."""
    require_party(actor, claim, Party.STAFF)
    reason = _text(reason, "reason", _("Give the reason for the decision."))
    with transaction.atomic():
        claim = _locked(claim)
        if claim.state != ClaimState.IN_MEDIATION:
            raise Conflict(
                _("Only a case in mediation can be decided (and only once); this one is %(state)s.")
                % {"state": claim.get_state_display().lower()}
            )
        if claim.mediator_id is None:
            claim.mediator = actor.user
        if for_buyer:
            decided = parse_amount(amount, claim.currency) if amount not in (None, "") else None
            decided = decided if decided is not None else claim.amount
            if decided > claim.amount:
                raise DomainError(
                    _("At most the amount claimed: %(amount)s %(currency)s.")
                    % {"amount": claim.amount, "currency": claim.currency},
                    field="amount",
                )
            claim.decide_for_buyer(actor.user, decided, reason)
            _save(claim, actor, "claim_decided_for_buyer")
            with acting(actor.user, "payout_proposed"):
                Payout.objects.create(
                    claim=claim,
                    amount=decided,
                    currency=claim.currency,
                    cover_amount=claim.guarantee.cover_amount,
                    proposed_by=actor.user,
                )
            tell(claim, "decided_for_buyer", [Party.BUYER, Party.SHOP])
            emit_claim("claim.decided", claim)
        else:
            claim.decide_for_shop(actor.user, reason)
            _save(claim, actor, "claim_decided_for_shop")
            _close_guarantee(claim.guarantee, actor, "claim_decided_for_shop")
            tell(claim, "decided_for_shop", [Party.BUYER, Party.SHOP])
            emit_claim("claim.decided", claim)
            emit_claim("claim.closed", claim)
    return claim
