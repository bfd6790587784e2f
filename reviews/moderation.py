"""Moderation: held reviews, reports on reviews, the author heard, one contest, a final decision.

One workflow for a review of the shop and of a product. Every step runs in one
transaction that locks the review first and then its report (always in that
order, so two steps cannot deadlock), moves the two state machines through
their transitions only, writes the history with the actor, recomputes the
rating it moves and queues the emails to both sides. Opinions stay; provably
false facts and unlawful content go; a person decides, never a check.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, require_role
from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from core.uploads import check_upload
from notifications.services import queue_email
from reviews import notify, themes
from reviews.access import speaks_for_shop
from reviews.models import (
    Decision,
    Report,
    ReportReason,
    ReportState,
    Review,
    ReviewState,
)
from reviews.models.reports import HIDE_AT_ONCE, OPEN_REPORT_STATES, Reporter
from reviews.moderation_upkeep import check_negative_reporting
from reviews.ratings import refresh_for
from reviews.services import check_text
from reviews.webhooks import emit_review

# Anyone may report unlawful content; the shop may report for every reason.
PUBLIC_REASONS = (ReportReason.INSULTING, ReportReason.PERSONAL_DATA)
SHOP_REASONS = tuple(ReportReason)
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
TEXT_LIMIT = 3000
# The side that lost may contest the decision once, within this many days.
CONTEST_DAYS = getattr(settings, "REVIEW_CONTEST_DAYS", 14)
UNIQUE_OPEN_REPORT = "reviews_one_open_report_per_review"


# -- reading and locking ------------------------------------------------------------------


def _lock_review(review_id: int) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("shop", "product")
        .get(pk=review_id)
    )


def _lock_report(report: Report) -> tuple[Review, Report]:
    """The review, then its report: the one lock order of every moderation step."""
    review = _lock_review(report.review_id)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    locked.review = review
    return review, locked


def open_report_of(review: Review) -> Report | None:
    return Report.objects.filter(review_id=review.pk, state__in=OPEN_REPORT_STATES).first()


def _text(value: str, field: str, *, required: bool = True) -> str:
    return check_text(value, field, limit=TEXT_LIMIT, required=required)


def _decision(value: str, field: str = "decision") -> str:
    if value not in Decision.values:
        raise DomainError(_("Choose a decision."), field=field)
    return value


def moderators() -> list[Any]:
    """The review moderators to tell about new work (administrators only when there are none)."""
    users = get_user_model().objects.filter(is_active=True)
    found = list(users.filter(groups__name=Role.MODERATOR).distinct().order_by("email"))
    return found or list(users.filter(groups__name=Role.ADMINISTRATOR).distinct().order_by("email"))


def _tell_moderators(report: Report, event: str) -> None:
    url = settings.SITE_URL + reverse("moderation:report_detail", args=[report.pk])
    review = report.review
    for person in moderators():
        queue_email(
            to=person.email,
            recipient=person,
            template="review_changed",
            language=notify._language(person.language),
            context={
                "event": event,
                "party": "staff",
                "shop": review.shop.name,
                "domain": review.shop.display_domain,
                "stars": review.stars,
                "product": review.product.name if review.product_id else "",
                "excerpt": review.shown_comment[:300],
                "reason": report.get_reason_display(),
                "url": url,
            },
        )


def _tell_reporting_shop(report: Report, event: str, **extra: Any) -> None:
    """The shop's people when the shop reported; the public reporter by email."""
    if report.reporter == Reporter.SHOP:
        notify.tell_shop(report.review, event, **extra)
    elif report.reporter_email:
        review = report.review
        queue_email(
            to=report.reporter_email,
            template="review_changed",
            language=notify._language(review.shop.language),
            context={
                "event": event,
                "party": "reporter",
                "shop": review.shop.name,
                "domain": review.shop.display_domain,
                "stars": review.stars,
                "product": review.product.name if review.product_id else "",
                "excerpt": "",
                "url": settings.SITE_URL + reverse("review_checks:how_we_check"),
                **extra,
            },
        )


# -- held reviews -------------------------------------------------------------------------


def publish_held(*, review: Review, actor: Any) -> Review:
    """A moderator looked at a held review and found nothing wrong: it is published."""
    require_role(actor, Role.MODERATOR)
    with transaction.atomic():
        locked = _lock_review(review.pk)
        if locked.state != ReviewState.HELD:
            raise Conflict(_("This review is no longer waiting for a check."))
        locked.publish()
        themes.tag(locked)
        with acting(actor, "review_released", party="staff"):
            locked.save()
        refresh_for(locked)
        notify.review_published(locked)
        emit_review("review.published", locked)
    return locked


def reject_held(*, review: Review, actor: Any, reason: str) -> Review:
    """A moderator refuses a held review; the author reads why."""
    require_role(actor, Role.MODERATOR)
    reason = _text(reason, "reason")
    with transaction.atomic():
        locked = _lock_review(review.pk)
        if locked.state != ReviewState.HELD:
            raise Conflict(_("This review is no longer waiting for a check."))
        locked.reject(reason)
        with acting(actor, "review_rejected", note=reason, party="staff"):
            locked.save()
        notify.tell_author(locked, "rejected", reason=reason)
    return locked


# -- reports ------------------------------------------------------------------------------


def reasons_for(reporter: str) -> list[tuple[str, str]]:
    allowed = SHOP_REASONS if reporter == Reporter.SHOP else PUBLIC_REASONS
    return [(r.value, r.label) for r in allowed]


def is_shop_person(user: Any, review: Review) -> bool:
    """A member's person (not staff) holding the reviews right on the review's shop."""
    return speaks_for_shop(user, review.shop)


def report_review(
    *,
    review: Review,
    reporter: Any | None,
    reason: str,
    text: str,
    good_faith: bool,
    evidence: UploadedFile | None = None,
    email: str = "",
) -> Report:
    """The shop (any reason) or anyone (unlawful content, with an email) reports a review.

    The review stays visible while checked, unless the reason hides it at once.
    """
    if reporter is not None:
        if not is_shop_person(reporter, review):
            raise NotPermitted(_("You may not report reviews of this shop."))
        party = Reporter.SHOP
    else:
        party = Reporter.PUBLIC
        email = (email or "").strip().lower()
        if "@" not in email or len(email) > 254:
            raise DomainError(
                _("Give your email address, so we can tell you the outcome."), field="email"
            )
    if reason not in dict(reasons_for(party)):
        raise DomainError(_("Choose a reason."), field="reason")
    text = _text(text, "text")
    if good_faith is not True:
        raise DomainError(_("Please declare that you report in good faith."), field="good_faith")
    kind = None
    if evidence is not None:
        kind = check_upload(evidence, max_bytes=EVIDENCE_MAX_BYTES, field="evidence")
    try:
        with transaction.atomic():
            locked = _lock_review(review.pk)
            if open_report_of(locked) is not None:
                raise Conflict(_("This review is already being checked."))
            contestable = Report.objects.filter(
                review_id=locked.pk,
                state=ReportState.DECIDED,
                decided_at__gt=timezone.now() - timedelta(days=CONTEST_DAYS),
            )
            if contestable.exists():
                raise Conflict(
                    _("This review was decided recently; that decision can still be contested.")
                )
            if locked.state not in (ReviewState.PUBLISHED, ReviewState.PARTLY_REMOVED):
                raise Conflict(_("Only a published review can be reported."))
            report = Report(
                review=locked,
                reporter=party,
                reported_by=reporter,
                reporter_email=email if party == Reporter.PUBLIC else "",
                reason=reason,
                text=text,
                good_faith=True,
            )
            hide = reason in HIDE_AT_ONCE
            with acting(reporter, "review_reported", note=reason, party=party):
                if kind is not None:
                    evidence.seek(0)
                    report.evidence.save(
                        f"evidence.{kind[0]}", ContentFile(evidence.read()), save=False
                    )
                report.save()
                locked.report(hide=hide)
                locked.save()
            if hide:
                refresh_for(locked)
            emit_review("review.reported", locked)
            notify.tell_author(locked, "reported", hidden=hide, reason=report.get_reason_display())
            _tell_moderators(report, "report_opened")
    except IntegrityError as exc:
        if UNIQUE_OPEN_REPORT in str(exc):
            raise Conflict(_("This review is already being checked.")) from exc
        raise
    return report


def ask_author(*, report: Report, actor: Any, question: str) -> Report:
    """The moderator asks the author to respond or to prove the purchase, within 7 days."""
    require_role(actor, Role.MODERATOR)
    question = _text(question, "question")
    with transaction.atomic():
        review, locked = _lock_report(report)
        if locked.state != ReportState.OPEN:
            raise Conflict(_("The author can only be asked before anything else happened."))
        due = timezone.now() + timedelta(days=settings.REVIEW_REPORT_AUTHOR_DAYS)
        locked.ask_author(question, due)
        with acting(actor, "report_author_asked", note=question, party="staff"):
            locked.save()
        notify.tell_author(review, "report_question", question=question, due=due)
        _tell_reporting_shop(locked, "report_author_asked", due=due)
    return locked


def author_respond(*, review: Review, text: str) -> Report:
    """The author (through their own link) answers the question or proves the purchase."""
    text = _text(text, "text")
    with transaction.atomic():
        locked_review = _lock_review(review.pk)
        found = open_report_of(locked_review)
        if found is None or found.state != ReportState.AUTHOR_ASKED:
            raise Conflict(_("Nobody is waiting for your answer on this review."))
        _review, locked = _lock_report(found)
        locked.author_answers(text)
        with acting(None, "report_author_answered", party="author"):
            locked.save()
        _tell_reporting_shop(locked, "report_author_answered")
    return locked


def run_report_deadlines(now: datetime | None = None) -> int:
    """Reports whose author stayed silent past the deadline become ready for a decision.

    Idempotent and safe on two workers at once: rows another run holds are skipped.
    """
    now = now or timezone.now()
    moved = 0
    due = Report.objects.filter(state=ReportState.AUTHOR_ASKED, author_due_at__lte=now)
    for pk in due.order_by("author_due_at").values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                Report.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=ReportState.AUTHOR_ASKED, author_due_at__lte=now)
                .first()
            )
            if locked is None:
                continue
            locked.author_silent()
            with acting(None, "report_author_silent"):
                locked.save()
            moved += 1
    return moved


def _apply(review: Review, decision: str, reason_code: str, note: str, redacted: str) -> None:
    """Move a REPORTED review to the decision through its transitions."""
    if decision == Decision.STAYS:
        review.keep()
    elif decision == Decision.REMOVED:
        review.remove(reason_code, note)
    else:
        review.remove_part(reason_code, redacted)
        themes.tag(review)  # the themes of what is still shown


def _check_outcome(
    review: Review, decision: str, note: str, redacted: str, photo_ids: list[int] | None
) -> tuple[str, str]:
    """The texts a decision needs: a note shown in place of a removed review, the redacted text."""
    if decision == Decision.REMOVED:
        note = _text(note, "removal_note")
    if decision == Decision.PARTLY_REMOVED:
        redacted = _text(redacted, "redacted_comment", required=False)
        photos = review.photos.filter(pk__in=photo_ids or [], removed_at=None)
        if redacted == review.shown_comment and not photos.exists():
            raise DomainError(
                _("Remove the part that goes: the text is unchanged."), field="redacted_comment"
            )
    return note, redacted


def _remove_photos(review: Review, photo_ids: list[int] | None) -> None:
    if photo_ids:
        review.photos.filter(pk__in=photo_ids, removed_at=None).update(removed_at=timezone.now())


def decide(
    *,
    report: Report,
    actor: Any,
    decision: str,
    reason: str,
    removal_note: str = "",
    redacted_comment: str = "",
    photo_ids: list[int] | None = None,
) -> Report:
    """The moderator decides: the review stays, goes (a note in its place) or partly goes."""
    require_role(actor, Role.MODERATOR)
    decision = _decision(decision)
    reason = _text(reason, "reason")
    with transaction.atomic():
        review, locked = _lock_report(report)
        if locked.state not in (ReportState.OPEN, ReportState.READY):
            if locked.state == ReportState.AUTHOR_ASKED:
                raise Conflict(_("The author still has time to answer."))
            raise Conflict(_("This report has already been decided."))
        note, redacted = _check_outcome(review, decision, removal_note, redacted_comment, photo_ids)
        locked.decide(actor, decision, reason)
        with acting(actor, "report_decided", note=reason, party="staff", decision=decision):
            locked.save()
            if review.state == ReviewState.REPORTED:
                _apply(review, decision, locked.reason, note, redacted)
                if decision == Decision.PARTLY_REMOVED:
                    _remove_photos(review, photo_ids)
                review.save()
                if decision != Decision.STAYS:
                    emit_review("review.removed", review)
        refresh_for(review)
        notify.tell_author(review, "report_decided", decision=decision, decision_reason=reason)
        _tell_reporting_shop(locked, "report_decided", decision=decision, decision_reason=reason)
        if locked.reporter == Reporter.SHOP:
            check_negative_reporting(shop_id=review.shop_id)
    return locked


def contest_party_lost(report: Report, party: str) -> bool:
    """The author may contest a removal, the shop that reported a decision that it stays."""
    if party == "author":
        return report.decision in (Decision.REMOVED, Decision.PARTLY_REMOVED)
    if party == Reporter.SHOP:
        return report.reporter == Reporter.SHOP and report.decision == Decision.STAYS
    return False


def contest_until(report: Report) -> datetime | None:
    return report.decided_at + timedelta(days=CONTEST_DAYS) if report.decided_at else None


def may_contest(report: Report, party: str) -> bool:
    until = contest_until(report)
    return (
        report.state == ReportState.DECIDED
        and contest_party_lost(report, party)
        and until is not None
        and timezone.now() <= until
    )


def contest(*, report: Report, party: str, text: str, actor: Any | None = None) -> Report:
    """The side that lost contests the decision, once; another staff member will decide."""
    text = _text(text, "text")
    if party == Reporter.SHOP:
        if actor is None or not is_shop_person(actor, report.review):
            raise NotPermitted(_("You may not contest decisions on reviews of this shop."))
    elif party != "author":
        raise NotPermitted(_("Only the author or the shop may contest."))
    with transaction.atomic():
        review, locked = _lock_report(report)
        if locked.state != ReportState.DECIDED:
            if locked.state in (ReportState.CONTESTED, ReportState.FINAL):
                raise Conflict(_("This decision has already been contested once."))
            raise Conflict(_("This report has not been decided yet."))
        if not contest_party_lost(locked, party):
            raise Conflict(_("Only the side the decision went against may contest it."))
        if timezone.now() > contest_until(locked):
            raise Conflict(_("The time to contest this decision has passed."))
        locked.contest(party, text)
        with acting(actor, "report_contested", party=party):
            locked.save()
        if party == "author":
            _tell_reporting_shop(locked, "report_contested", by=party)
        else:
            notify.tell_author(review, "report_contested", by=party)
        _tell_moderators(locked, "report_contested")
    return locked


def decide_finally(
    *,
    report: Report,
    actor: Any,
    decision: str,
    reason: str,
    removal_note: str = "",
    redacted_comment: str = "",
    photo_ids: list[int] | None = None,
) -> Report:
    """Another staff member decides the contest; this decision is final."""
    require_role(actor, Role.MODERATOR)
    decision = _decision(decision)
    reason = _text(reason, "reason")
    with transaction.atomic():
        review, locked = _lock_report(report)
        if locked.state != ReportState.CONTESTED:
            if locked.state == ReportState.FINAL:
                raise Conflict(_("This contest has already been decided."))
            raise Conflict(_("This report is not contested."))
        if locked.decided_by_id == actor.pk:
            raise NotPermitted(_("A contest is decided by another person than the first decision."))
        note, redacted = _check_outcome(review, decision, removal_note, redacted_comment, photo_ids)
        locked.decide_finally(actor, decision, reason)
        with acting(actor, "report_finally_decided", note=reason, party="staff", decision=decision):
            locked.save()
            if review.state != ReviewState.WITHDRAWN:
                before = (review.state, review.shown_comment)
                _move_finally(review, locked.decision, decision, locked.reason, note, redacted)
                if decision == Decision.PARTLY_REMOVED:
                    _remove_photos(review, photo_ids)
                review.save()
                _emit_final(review, before, decision)
        refresh_for(review)
        notify.tell_author(review, "report_final", decision=decision, decision_reason=reason)
        _tell_reporting_shop(locked, "report_final", decision=decision, decision_reason=reason)
        if locked.reporter == Reporter.SHOP:
            check_negative_reporting(shop_id=review.shop_id)
    return locked


def _emit_final(review: Review, before: tuple[str, str], final: str) -> None:
    """After a final decision: `review.removed` when it (partly) goes, `review.published`
    when a removed or partly removed review is shown whole again."""
    was_removed = before[0] in (ReviewState.REMOVED, ReviewState.PARTLY_REMOVED)
    if final in (Decision.REMOVED, Decision.PARTLY_REMOVED):
        if before != (review.state, review.shown_comment) or final == Decision.PARTLY_REMOVED:
            emit_review("review.removed", review)
    elif was_removed and review.state == ReviewState.PUBLISHED:
        emit_review("review.published", review)


def _move_finally(
    review: Review, first: str, final: str, reason_code: str, note: str, redacted: str
) -> None:
    """From the first outcome to the final one, only through the review's transitions.

    A removed or partly removed review is reinstated first; a review that stayed (or
    was reinstated) goes back through `reported` to be removed or partly removed.
    """
    if final == first and final != Decision.PARTLY_REMOVED:
        return
    if review.state in (ReviewState.REMOVED, ReviewState.PARTLY_REMOVED) and (
        first != Decision.STAYS or review.state == ReviewState.REMOVED
    ):
        review.reinstate()
        themes.tag(review)  # the whole text is shown again
    if final == Decision.STAYS:
        return
    review.report(hide=False)
    _apply(review, final, reason_code, note, redacted)
