"""The audit workflow: every state change of an audit goes through these functions.

Each takes the actor, checks the role, locks the audit row, runs the FSM
transition, lets the history triggers record it with the actor in context, and
sends emails and renders documents after commit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from accounts.roles import Role, require_role, user_has_role
from audits.access import may_act_for_shop
from audits.evidence import check_evidence
from audits.models import (
    OPEN_AUDIT_STATES,
    Audit,
    AuditState,
    CriteriaSet,
    Finding,
    FindingResult,
)
from audits.notify import notify_auditor, notify_merchant
from audits.webhooks import emit_audit
from certification.marks import issue_mark
from certification.models import Shop, TrustMark
from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from core.storage import save_file


def _locked(audit: Audit) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("shop", "auditor")
        .get(pk=audit.pk)
    )


def _run(audit: Audit, transition: str, **kwargs: Any) -> None:
    try:
        getattr(audit, transition)(**kwargs)
    except TransitionNotAllowed as exc:
        raise Conflict(
            _("This audit is %(state)s: that step is not possible now.")
            % {"state": audit.get_state_display().lower()}
        ) from exc


def _render_after_commit(audit: Audit, kind: str) -> None:
    from audits.rendering import promise_document

    promise_document(audit, kind)  # a row now, the render after commit (audits.rendering)


def _require_merchant(actor: Any, shop: Shop) -> None:
    if not may_act_for_shop(actor, shop):
        raise NotPermitted(_("You need the audits right on this shop."))


def _require_assigned(actor: Any, audit: Audit) -> None:
    require_role(actor, Role.AUDITOR)
    if audit.auditor_id != actor.pk and not user_has_role(actor, Role.ADMINISTRATOR):
        raise NotPermitted(_("Only the auditor assigned to this audit may do this."))


# --- Opening --------------------------------------------------------------------------


def request_audit(
    *, shop: Shop, actor: Any | None, kind: str = Audit.Kind.INITIAL, previous: Audit | None = None
) -> Audit:
    """Apply for the trust mark (or open a renewal): one open audit per shop."""
    if actor is not None and not (
        may_act_for_shop(actor, shop) or user_has_role(actor, Role.ADMINISTRATOR)
    ):
        raise NotPermitted(_("You need the audits right on this shop."))
    criteria_set = CriteriaSet.objects.filter(status=CriteriaSet.Status.ACTIVE).first()
    if criteria_set is None:
        raise Conflict(_("No criteria set is published: audits cannot be opened."))
    if shop.closed_at is not None:
        raise Conflict(_("A closed shop cannot be audited."))
    carried = _carried_over(previous)
    try:
        with transaction.atomic(), acting(actor, "audit_requested"):
            audit = Audit.objects.create(
                shop=shop,
                criteria_set=criteria_set,
                kind=kind,
                requested_by=actor,
                previous=previous,
            )
            criteria = criteria_set.criteria.select_related("category")
            Finding.objects.bulk_create(
                Finding(audit=audit, criterion=criterion, **carried.get(criterion.code, {}))
                for criterion in criteria
                if criterion.applies_to_shop(shop.sells)
            )
            notify_merchant(audit, "requested")
    except IntegrityError as exc:
        raise Conflict(_("This shop already has an audit in progress.")) from exc
    return audit


def _carried_over(previous: Audit | None) -> dict[str, dict[str, Any]]:
    """A renewal starts from the last audit's findings, to be checked again."""
    if previous is None:
        return {}
    return {
        f.criterion.code: {
            "result": f.result,
            "auditor_note": f.auditor_note,
            "advice": f.advice,
            "not_applicable_reason": f.not_applicable_reason,
        }
        for f in previous.findings.select_related("criterion")
    }


def assign_audit(*, audit: Audit, actor: Any, auditor: Any) -> Audit:
    """An administrator assigns an auditor, or an auditor takes the audit from the queue."""
    require_role(actor, Role.AUDITOR)
    if auditor.pk != actor.pk and not user_has_role(actor, Role.ADMINISTRATOR):
        raise NotPermitted(_("Only administrators assign audits to someone else."))
    if not user_has_role(auditor, Role.AUDITOR):
        raise DomainError(_("%(person)s is not an auditor.") % {"person": auditor}, field="auditor")
    with transaction.atomic():
        audit = _locked(audit)
        _run(audit, "assign", auditor=auditor)
        with acting(actor, "audit_assigned", auditor=auditor.pk):
            audit.save()
    return audit


def start_review(*, audit: Audit, actor: Any) -> Audit:
    with transaction.atomic():
        audit = _locked(audit)
        _require_assigned(actor, audit)
        _run(audit, "start_review")
        with acting(actor, "review_started"):
            audit.save()
    return audit


# --- Findings -------------------------------------------------------------------------


def record_finding(
    *,
    finding: Finding,
    actor: Any,
    result: str,
    note: str = "",
    advice: str | None = None,
    not_applicable_reason: str = "",
    evidence_url: str = "",
    evidence_file: UploadedFile | None = None,
) -> Finding:
    """The auditor's verdict on one criterion, while the audit is in review."""
    if result not in (FindingResult.MET, FindingResult.NOT_MET, FindingResult.NOT_APPLICABLE):
        raise DomainError(_("Choose met, not met or not applicable."), field="result")
    if result == FindingResult.NOT_APPLICABLE and not not_applicable_reason.strip():
        raise DomainError(_("Say why the criterion does not apply."), field="not_applicable_reason")
    # Checked before anything is stored; the stored name comes from the content, not the client.
    evidence = check_evidence(evidence_file) if evidence_file is not None else None
    with transaction.atomic():
        audit = _locked(finding.audit)
        _require_assigned(actor, audit)
        if audit.state != AuditState.IN_REVIEW:
            raise Conflict(_("Findings are recorded while the audit is in review."))
        finding = Finding.objects.select_for_update().select_related("criterion").get(pk=finding.pk)
        finding.result = result
        finding.auditor_note = note.strip()
        finding.not_applicable_reason = not_applicable_reason.strip()
        if advice is not None and advice.strip():
            finding.advice = advice.strip()
        elif result == FindingResult.NOT_MET and not finding.advice:
            finding.advice = finding.criterion.text("merchant_advice", audit.shop.language)
        finding.evidence_url = evidence_url.strip()
        finding.recorded_by = actor
        if evidence is not None:
            extension, content = evidence
            save_file(
                finding.evidence_file, f"evidence.{extension}", content, field="evidence_file"
            )
        with acting(actor, "finding_recorded", criterion=finding.criterion.code):
            finding.save()
    return finding


def blocking_failures(audit: Audit) -> list[Finding]:
    return [
        f
        for f in audit.findings.select_related("criterion").filter(result=FindingResult.NOT_MET)
        if f.criterion.blocks_approval
    ]


def _undecided(audit: Audit) -> list[str]:
    return list(
        audit.findings.filter(result=FindingResult.OPEN).values_list("criterion__code", flat=True)
    )


def send_findings(*, audit: Audit, actor: Any) -> Audit:
    """Tell the merchant what to fix, with a deadline and a verification document."""
    with transaction.atomic():
        audit = _locked(audit)
        _require_assigned(actor, audit)
        open_codes = _undecided(audit)
        if open_codes:
            raise DomainError(
                _("Check every criterion first: %(codes)s.") % {"codes": ", ".join(open_codes)}
            )
        if not audit.findings.filter(result=FindingResult.NOT_MET).exists():
            raise DomainError(_("Every criterion is met: approve the audit instead."))
        due = timezone.now() + timedelta(days=settings.AUDIT_FIX_DAYS)
        _run(audit, "send_findings", due=due)
        with acting(actor, "findings_sent"):
            audit.save()
        notify_merchant(audit, "findings_sent")
        emit_audit("audit.findings_sent", audit)
        _render_after_commit(audit, "findings")
    return audit


def resubmit(*, audit: Audit, actor: Any, answers: dict[int, str]) -> Audit:
    """The merchant says, per finding not met, what was fixed."""
    _require_merchant(actor, audit.shop)
    with transaction.atomic():
        audit = _locked(audit)
        unmet = list(audit.findings.select_for_update().filter(result=FindingResult.NOT_MET))
        missing = [f for f in unmet if not answers.get(f.pk, "").strip()]
        if audit.state == AuditState.FINDINGS_SENT and missing:
            raise DomainError(
                _("Say what you fixed for every finding: %(codes)s.")
                % {"codes": ", ".join(f.criterion.code for f in missing)},
                field="answers",
            )
        _run(audit, "resubmit")
        now = timezone.now()
        with acting(actor, "resubmitted"):
            for finding in unmet:
                finding.merchant_answer = answers[finding.pk].strip()
                finding.answered_at = now
                finding.save(update_fields=["merchant_answer", "answered_at", "updated_at"])
            audit.save()
        notify_auditor(audit, "resubmitted")
    return audit


def resume_review(*, audit: Audit, actor: Any) -> Audit:
    with transaction.atomic():
        audit = _locked(audit)
        _require_assigned(actor, audit)
        _run(audit, "resume_review")
        with acting(actor, "review_resumed"):
            audit.save()
    return audit


# --- Decision -------------------------------------------------------------------------


def approve(*, audit: Audit, actor: Any, note: str = "") -> Audit:
    """Approve and issue (or renew) the shop's trust mark; four eyes by default."""
    require_role(actor, Role.AUDITOR)
    with transaction.atomic():
        audit = _locked(audit)
        if settings.AUDIT_FOUR_EYES and audit.auditor_id == actor.pk:
            raise NotPermitted(
                _("Four-eyes rule: the auditor who reviewed this audit cannot also approve it.")
            )
        if audit.state != AuditState.IN_REVIEW:
            _run(audit, "approve", actor=actor, mark=None, note=note)  # raises the conflict
        open_codes = _undecided(audit)
        if open_codes:
            raise DomainError(
                _("Check every criterion first: %(codes)s.") % {"codes": ", ".join(open_codes)}
            )
        failures = blocking_failures(audit)
        if failures:
            raise DomainError(
                _("Cannot approve: blocking or major criteria are not met: %(codes)s.")
                % {"codes": ", ".join(f.criterion.code for f in failures)},
                code="unmet_criteria",
            )
        mark = issue_mark(shop=audit.shop, actor=actor)
        _run(audit, "approve", actor=actor, mark=mark, note=note.strip())
        with acting(actor, "audit_approved", note):
            audit.save()
        notify_merchant(audit, "approved")
        emit_audit("audit.approved", audit)
        _render_after_commit(audit, "decision")
    return audit


def refuse(*, audit: Audit, actor: Any, reason: str) -> Audit:
    require_role(actor, Role.AUDITOR)
    if not reason.strip():
        raise DomainError(_("Say why the audit is refused."), field="reason")
    with transaction.atomic():
        audit = _locked(audit)
        _run(audit, "refuse", actor=actor, reason=reason.strip())
        with acting(actor, "audit_refused", reason):
            audit.save()
        notify_merchant(audit, "refused")
        emit_audit("audit.refused", audit)
        _render_after_commit(audit, "decision")
    return audit


def withdraw(*, audit: Audit, actor: Any, note: str = "") -> Audit:
    _require_merchant(actor, audit.shop)
    with transaction.atomic():
        audit = _locked(audit)
        _run(audit, "withdraw", note=note.strip())
        with acting(actor, "audit_withdrawn", note):
            audit.save()
        notify_merchant(audit, "withdrawn")
    return audit


# --- Deadlines (periodic) -------------------------------------------------------------


def lapse_overdue_audits(*, now: Any = None, limit: int = 500) -> int:
    """Findings not answered by their deadline: the audit lapses. Safe to run twice."""
    now = now or timezone.now()
    lapsed = 0
    with transaction.atomic():
        due = Audit.objects.select_for_update(skip_locked=True).filter(
            state=AuditState.FINDINGS_SENT, fix_due_at__lt=now
        )
        for audit in due.select_related("shop").order_by("pk")[:limit]:
            audit.lapse()
            with acting(None, "audit_lapsed"):
                audit.save()
            notify_merchant(audit, "lapsed")
            lapsed += 1
    return lapsed


def open_renewal_audits(*, today: Any = None) -> int:
    """60 days before a mark expires, open its renewal audit and tell the owner."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.AUDIT_RENEWAL_DAYS_BEFORE_EXPIRY)
    opened = 0
    marks = TrustMark.objects.filter(state="active", valid_until__lte=horizon).select_related(
        "shop"
    )
    for mark in marks.exclude(shop__audits__state__in=OPEN_AUDIT_STATES):
        previous = (
            Audit.objects.filter(shop=mark.shop, state=AuditState.APPROVED)
            .order_by("-decided_at")
            .first()
        )
        try:
            request_audit(shop=mark.shop, actor=None, kind=Audit.Kind.RENEWAL, previous=previous)
        except Conflict:
            continue  # another runner opened it first
        opened += 1
    return opened
