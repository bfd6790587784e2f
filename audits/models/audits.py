"""An audit of one shop against one criteria set, its findings and documents."""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from audits.models.catalogue import CriteriaSet, Criterion
from certification.models import Shop, TrustMark, VerificationDocument
from certification.models.documents import private_storage


class AuditState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ASSIGNED = "assigned", _("Assigned")
    IN_REVIEW = "in_review", _("In review")
    FINDINGS_SENT = "findings_sent", _("Findings sent")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Lapsed")


OPEN_AUDIT_STATES = (
    AuditState.REQUESTED,
    AuditState.ASSIGNED,
    AuditState.IN_REVIEW,
    AuditState.FINDINGS_SENT,
    AuditState.RESUBMITTED,
)
WITHDRAWABLE = list(OPEN_AUDIT_STATES)


@pghistory.track(pghistory.InsertEvent("opened"), pghistory.UpdateEvent("changed"))
class Audit(ConcurrentTransitionMixin, models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("Application")
        RENEWAL = "renewal", _("Renewal")

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="audits")
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="audits")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INITIAL)
    state = FSMField(
        _("status"), default=AuditState.REQUESTED, choices=AuditState.choices, protected=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits_assigned",
        verbose_name=_("auditor"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mark = models.ForeignKey(
        TrustMark, on_delete=models.PROTECT, null=True, blank=True, related_name="audits"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    fix_due_at = models.DateTimeField(_("fix by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    round = models.PositiveSmallIntegerField(_("round of findings"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop"],
                condition=Q(state__in=[s.value for s in OPEN_AUDIT_STATES]),
                name="audits_one_open_audit_per_shop",
                violation_error_message=_("This shop already has an audit in progress."),
            ),
            models.CheckConstraint(
                condition=~Q(state="refused") | ~Q(decision_note=""),
                name="audits_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(mark__isnull=False),
                name="audits_approval_has_mark",
            ),
        ]
        indexes = [
            models.Index(
                fields=["fix_due_at"], condition=Q(state="findings_sent"), name="audit_fix_due_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{_('Audit')} #{self.pk} {self.shop.domain}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_AUDIT_STATES

    @transition(field=state, source=AuditState.REQUESTED, target=AuditState.ASSIGNED)
    def assign(self, auditor: object) -> None:
        self.auditor = auditor

    @transition(field=state, source=AuditState.ASSIGNED, target=AuditState.IN_REVIEW)
    def start_review(self) -> None:
        pass

    @transition(field=state, source=AuditState.IN_REVIEW, target=AuditState.FINDINGS_SENT)
    def send_findings(self, due: object) -> None:
        self.fix_due_at = due
        self.round += 1

    @transition(field=state, source=AuditState.FINDINGS_SENT, target=AuditState.RESUBMITTED)
    def resubmit(self) -> None:
        pass

    @transition(field=state, source=AuditState.RESUBMITTED, target=AuditState.IN_REVIEW)
    def resume_review(self) -> None:
        self.fix_due_at = None

    @transition(field=state, source=AuditState.IN_REVIEW, target=AuditState.APPROVED)
    def approve(self, actor: object, mark: TrustMark, note: str) -> None:
        self.decided_by = actor
        self.decided_at = timezone.now()
        self.mark = mark
        self.decision_note = note

    @transition(field=state, source=AuditState.IN_REVIEW, target=AuditState.REFUSED)
    def refuse(self, actor: object, reason: str) -> None:
        self.decided_by = actor
        self.decided_at = timezone.now()
        self.decision_note = reason

    @transition(field=state, source=WITHDRAWABLE, target=AuditState.WITHDRAWN)
    def withdraw(self, note: str) -> None:
        self.decision_note = note

    @transition(field=state, source=AuditState.FINDINGS_SENT, target=AuditState.LAPSED)
    def lapse(self) -> None:
        self.decided_at = timezone.now()


class FindingResult(models.TextChoices):
    OPEN = "open", _("Not checked yet")
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


def evidence_path(instance: Finding, filename: str) -> str:
    """A random name; the extension is the one the content check found (audits.services)."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    stem = f"{instance.criterion.code}-{uuid.uuid4().hex}"
    return f"evidence/audit-{instance.audit_id}/{stem}.{extension}"


@pghistory.track()
class Finding(models.Model):
    """The result for one applicable criterion in one audit."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(
        _("result"), max_length=16, choices=FindingResult.choices, default=FindingResult.OPEN
    )
    not_applicable_reason = models.TextField(_("why not applicable"), blank=True)
    auditor_note = models.TextField(_("auditor's note"), blank=True)
    advice = models.TextField(_("advice to the merchant"), blank=True)
    evidence_url = models.URLField(_("evidence (link)"), blank=True, max_length=500)
    evidence_file = models.FileField(
        _("evidence (file)"), storage=private_storage, upload_to=evidence_path, blank=True
    )
    merchant_answer = models.TextField(_("merchant's answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["audit", "criterion__category__order", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "criterion"], name="audits_one_finding_each"),
            models.CheckConstraint(
                condition=~Q(result="not_applicable") | ~Q(not_applicable_reason=""),
                name="audits_not_applicable_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.get_result_display()}"


class AuditDocument(models.Model):
    """Which verification document an audit produced, and at which step."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="documents")
    document = models.OneToOneField(
        VerificationDocument, on_delete=models.PROTECT, related_name="audit_link"
    )
    kind = models.CharField(max_length=16, choices=VerificationDocument.Kind.choices)
    round = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "kind", "round"], name="audits_one_document_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.audit} {self.kind} {self.round}"


class DocumentRender(models.Model):
    """A document an audit step promised, written in the step's transaction (the outbox).

    The render task marks it done in the transaction that stores the document; the
    sweeper re-enqueues a row left pending by a lost enqueue, a killed worker or a
    storage that refused the write.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be rendered")
        DONE = "done", _("Rendered")

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="renders")
    kind = models.CharField(max_length=16, choices=VerificationDocument.Kind.choices)
    round = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document render")
        verbose_name_plural = _("document renders")
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "kind", "round"], name="audits_one_render_per_step"
            ),
            models.CheckConstraint(
                condition=Q(status="done", done_at__isnull=False) | ~Q(status="done"),
                name="audits_render_done_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="audits_render_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audit_id} {self.kind} {self.round} ({self.status})"
