"""The indicators: key, label, unit, which direction is worse and the default thresholds.

The thresholds themselves are data (`Threshold` rows, edited by administrators);
the values here only seed them and say how each indicator reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Key(models.TextChoices):
    CLAIM_RATE = "claim_rate", _("Claim rate")
    BUYER_DECISIONS = "buyer_decisions", _("Decisions against the shop")
    ANSWER_HOURS = "answer_hours", _("Answer time (median)")
    ANSWERED_IN_TIME = "answered_in_time", _("Claims answered in time")
    CLAIMS_RESOLVED = "claims_resolved", _("Claims resolved")
    RECOURSE_AMOUNT = "recourse_amount", _("Open recourse: amount")
    RECOURSE_AGE = "recourse_age", _("Open recourse: oldest")
    REVIEW_GRADE = "review_grade", _("Reviews: 12-month grade")
    GRADE_CHANGE = "grade_change", _("Reviews: grade change over 90 days")
    UNREPLIED_NEGATIVE = "unreplied_negative", _("Negative reviews without a reply")
    OVERDUE_FINDINGS = "overdue_findings", _("Audit findings past their deadline")


@dataclass(frozen=True)
class Definition:
    key: str
    unit: str  # shown after the value
    higher_is_worse: bool
    rate: bool  # a proportion judged by its Wilson interval (value scaled by `scale`)
    scale: int
    yellow: Decimal
    red: Decimal
    min_sample: int
    window_days: int
    advice: str

    @property
    def label(self) -> str:
        return str(Key(self.key).label)


D = Decimal
DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition(
            Key.CLAIM_RATE,
            "‰",
            True,
            True,
            1000,
            D("20"),
            D("50"),
            30,
            90,
            _(
                "Look at why buyers claim: late deliveries, refunds that do not arrive, "
                "goods not as described. Answer buyers before they need the protection."
            ),
        ),
        Definition(
            Key.BUYER_DECISIONS,
            "%",
            True,
            True,
            100,
            D("40"),
            D("60"),
            5,
            180,
            _(
                "Settle claims with the buyer before mediation, and send the evidence "
                "(tracking, refund receipts) with your answer."
            ),
        ),
        Definition(
            Key.ANSWER_HOURS,
            "h",
            True,
            False,
            1,
            D("48"),
            D("96"),
            5,
            90,
            _(
                "Answer claims sooner: name a person for claims and let them answer "
                "within a working day."
            ),
        ),
        Definition(
            Key.ANSWERED_IN_TIME,
            "%",
            False,
            True,
            100,
            D("90"),
            D("70"),
            5,
            90,
            _("Answer every claim before its deadline; an unanswered claim goes to mediation."),
        ),
        Definition(
            Key.CLAIMS_RESOLVED,
            "%",
            False,
            True,
            100,
            D("80"),
            D("50"),
            5,
            180,
            _("Work open claims to an end: settle, deliver or refund."),
        ),
        Definition(
            Key.RECOURSE_AMOUNT,
            "",
            True,
            False,
            1,
            D("0"),
            D("500"),
            0,
            0,
            _("Reimburse the payouts made from buyer guarantees on your shop's behalf."),
        ),
        Definition(
            Key.RECOURSE_AGE,
            "d",
            True,
            False,
            1,
            D("30"),
            D("60"),
            0,
            0,
            _("Reimburse the oldest payout first."),
        ),
        Definition(
            Key.REVIEW_GRADE,
            "",
            False,
            False,
            1,
            D("3.5"),
            D("2.5"),
            10,
            365,
            _("Read the recent low ratings and fix what they name; invite every buyer to review."),
        ),
        Definition(
            Key.GRADE_CHANGE,
            "",
            False,
            False,
            1,
            D("-0.3"),
            D("-0.6"),
            10,
            90,
            _("Your grade fell quickly: read the reviews of the last weeks for a new problem."),
        ),
        Definition(
            Key.UNREPLIED_NEGATIVE,
            "%",
            True,
            True,
            100,
            D("30"),
            D("60"),
            5,
            90,
            _("Reply to every rating of 2 stars or fewer within 48 hours."),
        ),
        Definition(
            Key.OVERDUE_FINDINGS,
            "",
            True,
            False,
            1,
            D("0"),
            D("2"),
            0,
            0,
            _("Fix the audit findings and tell your auditor before the deadline."),
        ),
    )
}
