"""Public pages: how we check reviews (the EU 2019/2161 disclosure), reporting a review as
anyone, and the author's answer to a report and contest of a removal through their own link."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from certification.models import Shop
from core.errors import DomainError
from core.forms import add_domain_error
from core.ratelimit import limit_posts
from reviews import moderation
from reviews.access import review_from_author_token
from reviews.checks import SIGNALS
from reviews.models import Label, Report, ReportState, Review
from reviews.models.reports import HIDE_AT_ONCE, Reporter
from reviews.moderation_forms import ContestForm, PublicReportForm, TextForm
from reviews.moderation_selectors import reason_rows, removal_figures
from reviews.ratings import visible


def how_we_check(request: HttpRequest) -> HttpResponse:
    """What the labels mean, what the checks do, how reports are decided; removals in figures."""
    shop = None
    public_id = request.GET.get("shop", "")
    if public_id:
        shop = get_object_or_404(Shop, public_id=public_id)
    everyone = removal_figures()
    mine = removal_figures(shop.pk) if shop else None
    return render(
        request,
        "reviews/checks/how_we_check.html",
        {
            "shop": shop,
            "labels": Label.choices,
            "signals": [str(label) for label in SIGNALS.values()],
            "hide_at_once": [r.label for r in HIDE_AT_ONCE],
            "author_days": settings.REVIEW_REPORT_AUTHOR_DAYS,
            "contest_days": moderation.CONTEST_DAYS,
            "keep_days": settings.REVIEW_KEEP_REMOVED_DAYS,
            "all_figures": everyone,
            "shop_figures": mine,
            "reason_rows": reason_rows(everyone, mine),
        },
    )


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone reports a published review for unlawful content (insults, personal data)."""
    review = visible(Review.objects.select_related("shop", "product")).filter(pk=pk).first()
    if review is None:
        raise Http404("No such review.")
    form = PublicReportForm(
        request.POST or None,
        request.FILES or None,
        reasons=moderation.reasons_for(Reporter.PUBLIC),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moderation.report_review(
                review=review,
                reporter=None,
                email=data["email"],
                reason=data["reason"],
                text=data["text"],
                good_faith=data["good_faith"],
                evidence=data.get("evidence"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return render(request, "reviews/checks/reported.html", {"review": review})
    return render(
        request,
        "reviews/checks/report.html",
        {"review": review, "form": form},
        status=422 if form.errors else 200,
    )


def _latest_report(review: Review) -> Report | None:
    return Report.objects.filter(review=review).order_by("-created_at", "-pk").first()


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The author answers the moderator's question or proves the purchase."""
    review = review_from_author_token(token)
    report = _latest_report(review)
    waiting = report is not None and report.state == ReportState.AUTHOR_ASKED
    form = TextForm(request.POST or None)
    done = False
    if request.method == "POST" and waiting and form.is_valid():
        try:
            moderation.author_respond(review=review, text=form.cleaned_data["text"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            done = True
            report.refresh_from_db()
    return render(
        request,
        "reviews/checks/respond.html",
        {
            "review": review,
            "report": report,
            "waiting": waiting and not done,
            "form": form,
            "done": done,
            "token": token,
        },
        status=422 if form.errors else 200,
    )


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def contest(request: HttpRequest, token: str) -> HttpResponse:
    """The author contests the removal of their review (or of part of it), once."""
    review = review_from_author_token(token)
    report = _latest_report(review)
    allowed = report is not None and moderation.may_contest(report, "author")
    form = ContestForm(request.POST or None)
    done = False
    if request.method == "POST" and allowed and form.is_valid():
        try:
            moderation.contest(report=report, party="author", text=form.cleaned_data["text"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            done = True
            report.refresh_from_db()
    return render(
        request,
        "reviews/checks/contest.html",
        {
            "review": review,
            "report": report,
            "allowed": allowed and not done,
            "done": done,
            "form": form,
            "contest_until": moderation.contest_until(report) if report else None,
        },
        status=422 if form.errors else 200,
    )
