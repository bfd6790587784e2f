"""A buyer's claim on a guarantee, worked as a case: its states, deadlines, thread and evidence."""

from __future__ import annotations

import uuid

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from certification.models import Shop
from certification.models.documents import private_storage
from guarantees.models import Guarantee


class ClaimReason(models.TextChoices):
    NOT_DELIVERED = "not_delivered", _("Goods not delivered")
    REFUND_MISSING = "refund_missing", _("Refund not received after a withdrawal or return")
    NOT_AS_DESCRIBED = "not_as_described", _("Goods not as described or damaged")
    OTHER = "other", _("Other")


class ClaimState(models.TextChoices):
    FILED = "filed", _("Filed")
    AWAITING_SHOP = "awaiting_shop", _("Waiting for the shop")
    SHOP_ANSWERED = "shop_answered", _("The shop answered")
    IN_MEDIATION = "in_mediation", _("In mediation")
    AWAITING_INFORMATION = "awaiting_information", _("Waiting for information")
    RESOLVED = "resolved", _("Resolved")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECIDED_FOR_BUYER = "decided_for_buyer", _("Decided for the buyer")
    DECIDED_FOR_SHOP = "decided_for_shop", _("Decided for the shop")
    CLOSED = "closed", _("Closed")


# Before a decision: the shop may still settle and the buyer withdraw.
UNDECIDED = [
    ClaimState.FILED,
    ClaimState.AWAITING_SHOP,
    ClaimState.SHOP_ANSWERED,
    ClaimState.IN_MEDIATION,
    ClaimState.AWAITING_INFORMATION,
]
# A case still being worked: it holds the guarantee's one open claim.
OPEN_CLAIM_STATES = [*UNDECIDED, ClaimState.DECIDED_FOR_BUYER]
MEDIATION_STATES = [ClaimState.IN_MEDIATION, ClaimState.AWAITING_INFORMATION]


def due_expression() -> models.Case:
    """The deadline that matters now: the information's, else the shop's answer's."""
    return models.Case(
        models.When(state=ClaimState.AWAITING_INFORMATION, then=models.F("info_due_at")),
        models.When(state=ClaimState.AWAITING_SHOP, then=models.F("shop_due_at")),
        default=None,
        output_field=models.DateTimeField(),
    )


def queue_order_expression() -> Coalesce:
    """The mediation queue's order: the deadline that matters now, else the filing date."""
    return Coalesce(due_expression(), models.F("opened_at"))


class ShopAnswer(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    REFUNDED = "refunded", _("Refunded")
    DISPUTED = "disputed", _("Disputed")


class Party(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SHOP = "shop", _("Shop")
    STAFF = "staff", _("Trustmark")


@pghistory.track(pghistory.InsertEvent("filed"), pghistory.UpdateEvent("changed"))
class Claim(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="claims")
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="claims")
    reason = models.CharField(_("reason"), max_length=24, choices=ClaimReason.choices)
    amount = models.DecimalField(_("amount claimed"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    description = models.TextField(_("what happened"))
    language = models.CharField(_("buyer's language"), max_length=8, default="en")
    state = FSMField(
        _("status"), default=ClaimState.FILED, choices=ClaimState.choices, protected=True
    )
    cover_until_before = models.DateField(
        _("cover end before the claim"),
        help_text=_("Restored when the claim is withdrawn: the extension lasts while it is open."),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    shop_due_at = models.DateTimeField(_("shop to answer by"), null=True, blank=True)
    shop_reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    answer = models.CharField(
        _("shop's answer"), max_length=16, choices=ShopAnswer.choices, blank=True
    )
    answer_text = models.TextField(_("shop's explanation"), blank=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_assigned",
        verbose_name=_("mediator"),
    )
    info_from = models.CharField(
        _("information asked from"), max_length=8, choices=Party.choices, blank=True
    )
    info_question = models.TextField(_("question"), blank=True)
    info_due_at = models.DateTimeField(_("information due"), null=True, blank=True)
    decision_amount = models.DecimalField(
        _("amount decided"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    outcome_note = models.TextField(_("how it ended"), blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    age_warned_at = models.DateTimeField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(
        _("open more than 90 days since"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["guarantee"],
                condition=Q(state__in=[s.value for s in OPEN_CLAIM_STATES]),
                name="disputes_one_open_claim_per_guarantee",
                violation_error_message=_("This guarantee already has an open claim."),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="disputes_amount_positive"),
            models.CheckConstraint(
                condition=Q(decision_amount__isnull=True)
                | (Q(decision_amount__gt=0) & Q(decision_amount__lte=models.F("amount"))),
                name="disputes_decision_within_claim",
            ),
            models.CheckConstraint(
                condition=~Q(state=ClaimState.DECIDED_FOR_BUYER) | Q(decision_amount__isnull=False),
                name="disputes_buyer_decision_has_amount",
            ),
        ]
        indexes = [
            models.Index(
                fields=["shop_due_at"],
                condition=Q(state=ClaimState.AWAITING_SHOP),
                name="claim_shop_due_idx",
            ),
            models.Index(
                fields=["info_due_at"],
                condition=Q(state=ClaimState.AWAITING_INFORMATION),
                name="claim_info_due_idx",
            ),
            models.Index(fields=["shop", "-opened_at"], name="claim_shop_recent_idx"),
            # The mediation queue (disputes.selectors.mediation_queue): open cases by the
            # deadline that matters now, paged by (that deadline, id) from the cursor on.
            models.Index(
                queue_order_expression(),
                models.F("id"),
                condition=Q(state__in=[s.value for s in OPEN_CLAIM_STATES]),
                name="claim_queue_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLAIM_STATES

    @property
    def is_undecided(self) -> bool:
        return self.state in UNDECIDED

    @property
    def decision_label(self) -> str:
        """What the mediator decided, whatever the case's state now (paid cases are closed)."""
        if self.decided_at is None:
            return ""
        won = self.decision_amount is not None
        return str(ClaimState.DECIDED_FOR_BUYER.label if won else ClaimState.DECIDED_FOR_SHOP.label)

    @transition(field=state, source=ClaimState.FILED, target=ClaimState.AWAITING_SHOP)
    def ask_shop(self, due: object) -> None:
        self.shop_due_at = due

    @transition(field=state, source=ClaimState.AWAITING_SHOP, target=ClaimState.SHOP_ANSWERED)
    def shop_answers(self, answer: str, text: str, carrier: str, tracking: str) -> None:
        self.answer, self.answer_text = answer, text
        self.carrier, self.tracking_number = carrier, tracking
        self.answered_at = timezone.now()

    @transition(field=state, source=ClaimState.SHOP_ANSWERED, target=ClaimState.RESOLVED)
    def accept_answer(self) -> None:
        self.ended_at = timezone.now()

    @transition(field=state, source=ClaimState.SHOP_ANSWERED, target=ClaimState.IN_MEDIATION)
    def reject_answer(self) -> None:
        pass

    @transition(field=state, source=ClaimState.AWAITING_SHOP, target=ClaimState.IN_MEDIATION)
    def escalate(self) -> None:
        self.escalated_at = timezone.now()

    @transition(field=state, source=UNDECIDED, target=ClaimState.RESOLVED)
    def settle(self, note: str) -> None:
        self.outcome_note = note
        self.ended_at = timezone.now()

    @transition(field=state, source=UNDECIDED, target=ClaimState.WITHDRAWN)
    def withdraw(self, note: str) -> None:
        self.outcome_note = note
        self.ended_at = timezone.now()

    @transition(field=state, source=ClaimState.IN_MEDIATION, target=ClaimState.AWAITING_INFORMATION)
    def request_information(self, party: str, question: str, due: object) -> None:
        self.info_from, self.info_question, self.info_due_at = party, question, due

    @transition(field=state, source=ClaimState.AWAITING_INFORMATION, target=ClaimState.IN_MEDIATION)
    def resume_mediation(self) -> None:
        self.info_due_at = None

    @transition(field=state, source=ClaimState.IN_MEDIATION, target=ClaimState.DECIDED_FOR_BUYER)
    def decide_for_buyer(self, actor: object, amount: object, reason: str) -> None:
        self.decided_by, self.decision_amount, self.decision_reason = actor, amount, reason
        self.decided_at = timezone.now()

    @transition(field=state, source=ClaimState.IN_MEDIATION, target=ClaimState.DECIDED_FOR_SHOP)
    def decide_for_shop(self, actor: object, reason: str) -> None:
        self.decided_by, self.decision_reason = actor, reason
        self.decided_at = self.ended_at = timezone.now()

    @transition(field=state, source=ClaimState.DECIDED_FOR_BUYER, target=ClaimState.CLOSED)
    def close(self) -> None:
        self.ended_at = timezone.now()


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name (the extension comes from the content): nothing of the client's name."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"claims/{instance.message.claim_id}/{uuid.uuid4().hex}.{extension}"


@pghistory.track(pghistory.InsertEvent("posted"))
class Message(models.Model):
    """One post in a case's thread; staff notes marked internal reach staff only."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    party = models.CharField(_("from"), max_length=8, choices=Party.choices)
    body = models.TextField(_("message"))
    internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(internal=True) | Q(party=Party.STAFF),
                name="disputes_only_staff_notes_are_internal",
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="messages_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim} · {self.get_party_display()}"


class Attachment(models.Model):
    """Evidence on a message: PDF, PNG or JPEG, checked by content, served to the case's parties."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        triggers = [
            pgtrigger.Protect(
                name="attachments_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return self.name
