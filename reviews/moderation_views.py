"""Moderation pages: the staff queue, a held review, a report; the shop's report and contest.

Staff pages answer 404 to anyone without the moderator role; the shop's pages
404 to anyone without the reviews right on the review's shop.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import add_domain_error
from core.uploads import download, sniff
from reviews import moderation
from reviews import moderation_selectors as selectors
from reviews.access import get_review_for, is_moderator, reviews_visible_to
from reviews.checks import SIGNALS
from reviews.models import Report, ReportState, Review, ReviewState
from reviews.models.reports import Reporter
from reviews.moderation_forms import (
    AskAuthorForm,
    ContestForm,
    DecisionForm,
    RejectForm,
    ReportForm,
)

GUIDANCE_TEMPLATE = "reviews/moderation/includes/guidance.html"


def _staff(request: HttpRequest) -> None:
    if not is_moderator(request.user):
        raise Http404("Not found.")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Held reviews and reports by tab, the oldest first; overdue ones marked."""
    _staff(request)
    tab = request.GET.get("tab", "held")
    tab = tab if tab in selectors.TAB_NAMES else "held"
    rows = selectors.held_reviews() if tab == "held" else selectors.reports_in(tab)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    items = list(page.object_list)
    if tab == "held":
        for review in items:
            review.signal_labels = [str(SIGNALS.get(s, s)) for s in review.signals]
    else:
        selectors.with_due(items)
    return render(
        request,
        "reviews/moderation/queue.html",
        {
            "tab": tab,
            "tabs": selectors.TABS,
            "counts": selectors.queue_counts(),
            "page": page,
            "items": items,
        },
    )


def _held_review(pk: int) -> Review:
    return get_object_or_404(
        Review.objects.select_related("shop", "product").prefetch_related("photos"), pk=pk
    )


def _render_held(request: HttpRequest, review: Review, **forms: Any) -> HttpResponse:
    return render(
        request,
        "reviews/moderation/held.html",
        {
            "review": review,
            "signals": [str(SIGNALS.get(s, s)) for s in review.signals],
            "reject_form": forms.get("reject_form") or RejectForm(),
            "history": selectors.review_history(review),
        },
        status=422 if forms else 200,
    )


@login_required
def held(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    return _render_held(request, _held_review(pk))


@login_required
@require_POST
def held_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _staff(request)
    review = _held_review(pk)
    try:
        if action == "publish":
            moderation.publish_held(review=review, actor=request.user)
            messages.success(request, _("The review is published."))
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                return _render_held(request, review, reject_form=form)
            moderation.reject_held(
                review=review, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The review is rejected; the author is told why."))
        else:
            raise Http404("No such action.")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("moderation:held", pk=pk)
    return redirect(f"{reverse('moderation:queue')}?tab=held")


def _photo_choices(review: Review) -> list[tuple[int, str]]:
    return [
        (photo.pk, _("Photo %(n)s") % {"n": n})
        for n, photo in enumerate(review.photos.all(), start=1)
        if photo.removed_at is None
    ]


def _render_report(request: HttpRequest, report: Report, **forms: Any) -> HttpResponse:
    review = report.review
    state = report.state
    may_finally = state == ReportState.CONTESTED and report.decided_by_id != request.user.pk
    decision_initial = {"redacted_comment": review.shown_comment}
    return render(
        request,
        "reviews/moderation/report.html",
        {
            "report": report,
            "review": review,
            "due": selectors.due_of(report),
            "contest_until": moderation.contest_until(report),
            "ask_form": forms.get("ask_form")
            or (AskAuthorForm() if state == ReportState.OPEN else None),
            "decide_form": forms.get("decide_form")
            or (
                DecisionForm(initial=decision_initial, photo_choices=_photo_choices(review))
                if state in (ReportState.OPEN, ReportState.READY)
                else None
            ),
            "final_form": forms.get("final_form")
            or (
                DecisionForm(initial=decision_initial, photo_choices=_photo_choices(review))
                if may_finally
                else None
            ),
            "same_person": state == ReportState.CONTESTED and not may_finally,
            "history": selectors.review_history(review),
            "guidance": GUIDANCE_TEMPLATE,
            "author_days": settings.REVIEW_REPORT_AUTHOR_DAYS,
        },
        status=422 if forms else 200,
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    return _render_report(request, selectors.get_report(pk))


@login_required
@require_POST
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _staff(request)
    report = selectors.get_report(pk)
    review = report.review
    if action == "ask":
        form: Any = AskAuthorForm(request.POST)
        key = "ask_form"
    elif action in ("decide", "final"):
        form = DecisionForm(request.POST, photo_choices=_photo_choices(review))
        key = "decide_form" if action == "decide" else "final_form"
    else:
        raise Http404("No such action.")
    if not form.is_valid():
        return _render_report(request, report, **{key: form})
    data = form.cleaned_data
    try:
        if action == "ask":
            moderation.ask_author(report=report, actor=request.user, question=data["question"])
            messages.success(request, _("The author is asked to respond."))
        else:
            service = moderation.decide if action == "decide" else moderation.decide_finally
            service(
                report=report,
                actor=request.user,
                decision=data["decision"],
                reason=data["reason"],
                removal_note=data.get("removal_note", ""),
                redacted_comment=data.get("redacted_comment", ""),
                photo_ids=data.get("photos") or [],
            )
            messages.success(request, _("Decided; both sides are told."))
    except DomainError as exc:
        add_domain_error(form, exc)
        return _render_report(request, selectors.get_report(pk), **{key: form})
    return redirect("moderation:report_detail", pk=pk)


@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporter's evidence, to moderators only, as a download."""
    _staff(request)
    report = get_object_or_404(Report, pk=pk)
    if not report.evidence:
        raise Http404("No evidence.")
    with report.evidence.open("rb") as handle:
        kind = sniff(handle.read(16))
    ext, content_type = kind or ("bin", "application/octet-stream")
    return download(
        report.evidence, filename=f"evidence-{report.pk}.{ext}", content_type=content_type
    )


# -- the shop's side ---------------------------------------------------------------------


def _back_to_review(review: Review) -> str:
    try:
        return reverse("review_portal:review", args=[review.pk])
    except NoReverseMatch:  # the portal's review page is not mounted
        return reverse("moderation:report", args=[review.pk])


@login_required
@require_http_methods(["GET", "POST"])
def shop_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A shop person with the reviews right reports one of the shop's reviews."""
    review = get_review_for(request.user, pk)
    if not moderation.is_shop_person(request.user, review):
        raise Http404("No such review.")
    reasons = moderation.reasons_for(Reporter.SHOP)
    open_report = moderation.open_report_of(review)
    form = ReportForm(request.POST or None, request.FILES or None, reasons=reasons)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_review(
                review=review,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                good_faith=form.cleaned_data["good_faith"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Reported. A person at Trustmark checks it; we tell you the outcome.")
            )
            return redirect(_back_to_review(review))
    return render(
        request,
        "reviews/moderation/shop_report.html",
        {
            "review": review,
            "form": form,
            "open_report": open_report,
            "reportable": _reportable(review),
        },
        status=422 if form.errors else 200,
    )


def _reportable(review: Review) -> bool:
    return review.state in (ReviewState.PUBLISHED, ReviewState.PARTLY_REMOVED)


@login_required
@require_http_methods(["GET", "POST"])
def shop_contest(request: HttpRequest, pk: int) -> HttpResponse:
    """The shop that reported contests a decision that the review stays, once."""
    report = get_object_or_404(
        Report.objects.select_related("review__shop", "review__product").filter(
            review__in=reviews_visible_to(request.user)
        ),
        pk=pk,
    )
    if not moderation.is_shop_person(request.user, report.review):
        raise Http404("No such report.")
    allowed = moderation.may_contest(report, Reporter.SHOP)
    form = ContestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.contest(
                report=report,
                party=Reporter.SHOP,
                text=form.cleaned_data["text"],
                actor=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Contested. Another person at Trustmark decides."))
            return redirect(_back_to_review(report.review))
    return render(
        request,
        "reviews/moderation/shop_contest.html",
        {
            "report": report,
            "review": report.review,
            "form": form,
            "allowed": allowed,
            "contest_until": moderation.contest_until(report),
        },
        status=422 if form.errors else 200,
    )
