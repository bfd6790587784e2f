"""A report on a review and the dispute around it: author heard, decision, one contest, final.

The review stays visible while it is checked (except personal data and
unlawful content, hidden at once); the report row keeps the evidence and each
side's words. The contest is decided by another staff member, and that
decision is final.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from certification.models.documents import private_storage
from reviews.models.reviews import Review


class ReportReason(models.TextChoices):
    NOT_A_CUSTOMER = "not_a_customer", _("Not a real customer experience")
    INSULTING = "insulting", _("Insulting or unlawful")
    FALSE_FACT = "false_fact", _("False statement of fact")
    PERSONAL_DATA = "personal_data", _("Personal data")
    ADVERTISING = "advertising", _("Advertising or spam")
    CONFLICT_OF_INTEREST = "conflict", _("Conflict of interest")
    OTHER = "other", _("Other")


# Reasons that hide the review at once, while it is checked.
HIDE_AT_ONCE = {ReportReason.PERSONAL_DATA, ReportReason.INSULTING}


class ReportState(models.TextChoices):
    OPEN = "open", _("Open")
    AUTHOR_ASKED = "author_asked", _("Waiting for the author")
    READY = "ready", _("Ready for a decision")
    DECIDED = "decided", _("Decided")
    CONTESTED = "contested", _("Contested")
    FINAL = "final", _("Finally decided")


OPEN_REPORT_STATES = [
    ReportState.OPEN,
    ReportState.AUTHOR_ASKED,
    ReportState.READY,
    ReportState.CONTESTED,
]


class Decision(models.TextChoices):
    STAYS = "stays", _("The review stays")
    REMOVED = "removed", _("The review is removed")
    PARTLY_REMOVED = "partly_removed", _("Part of the review is removed")


class Reporter(models.TextChoices):
    SHOP = "shop", _("The shop")
    PUBLIC = "public", _("Someone else")


def evidence_path(instance: Report, filename: str) -> str:
    return f"review-reports/{instance.review_id}/{filename}"


@pghistory.track(
    pghistory.InsertEvent("reported"),
    pghistory.UpdateEvent("changed"),
    # Words and files are erased with the review after the keeping period: not copied here.
    exclude=[
        "text",
        "evidence",
        "reporter_email",
        "author_question",
        "author_response",
        "contest_text",
    ],
)
class Report(ConcurrentTransitionMixin, models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="reports")
    reporter = models.CharField(_("reported by"), max_length=8, choices=Reporter.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    reason = models.CharField(_("reason"), max_length=24, choices=ReportReason.choices)
    text = models.TextField(_("what is wrong"))
    evidence = models.FileField(
        _("evidence"), storage=private_storage, upload_to=evidence_path, blank=True
    )
    good_faith = models.BooleanField(_("declared in good faith"))
    state = FSMField(
        _("status"),
        max_length=16,
        default=ReportState.OPEN,
        choices=ReportState.choices,
        protected=True,
    )
    author_question = models.TextField(_("asked of the author"), blank=True)
    author_due_at = models.DateTimeField(_("author to answer by"), null=True, blank=True)
    author_response = models.TextField(_("author's answer"), blank=True)
    author_responded_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    contested_by = models.CharField(_("contested by"), max_length=8, blank=True)
    contest_text = models.TextField(_("grounds of the contest"), blank=True)
    contested_at = models.DateTimeField(null=True, blank=True)
    final_decision = models.CharField(
        _("final decision"), max_length=16, choices=Decision.choices, blank=True
    )
    final_reason = models.TextField(_("reason for the final decision"), blank=True)
    final_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    final_decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review report")
        verbose_name_plural = _("review reports")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(state__in=["open", "author_asked", "ready", "contested"]),
                name="reviews_one_open_report_per_review",
                violation_error_message=_("This review is already being checked."),
            ),
            models.CheckConstraint(
                condition=Q(final_decided_by__isnull=True) | ~Q(final_decided_by=F("decided_by")),
                name="reviews_contest_decided_by_another_person",
            ),
            models.CheckConstraint(
                condition=Q(good_faith=True), name="reviews_report_in_good_faith"
            ),
        ]
        indexes = [
            models.Index(
                fields=["author_due_at"],
                condition=Q(state="author_asked"),
                name="report_author_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.review} · {self.get_reason_display()}"

    @transition(field=state, source=ReportState.OPEN, target=ReportState.AUTHOR_ASKED)
    def ask_author(self, question: str, due: object) -> None:
        self.author_question, self.author_due_at = question, due

    @transition(field=state, source=ReportState.AUTHOR_ASKED, target=ReportState.READY)
    def author_answers(self, response: str) -> None:
        self.author_response = response
        self.author_responded_at = timezone.now()

    @transition(field=state, source=ReportState.AUTHOR_ASKED, target=ReportState.READY)
    def author_silent(self) -> None:
        pass

    @transition(
        field=state,
        source=[ReportState.OPEN, ReportState.READY],
        target=ReportState.DECIDED,
    )
    def decide(self, actor: object, decision: str, reason: str) -> None:
        self.decided_by, self.decision, self.decision_reason = actor, decision, reason
        self.decided_at = timezone.now()

    @transition(field=state, source=ReportState.DECIDED, target=ReportState.CONTESTED)
    def contest(self, party: str, text: str) -> None:
        self.contested_by, self.contest_text = party, text
        self.contested_at = timezone.now()

    @transition(field=state, source=ReportState.CONTESTED, target=ReportState.FINAL)
    def decide_finally(self, actor: object, decision: str, reason: str) -> None:
        self.final_decided_by, self.final_decision, self.final_reason = actor, decision, reason
        self.final_decided_at = timezone.now()

    @property
    def outcome(self) -> str:
        return self.final_decision or self.decision
