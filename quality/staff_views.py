"""Staff pages: the certifier-wide red and yellow list (CSV too) and the mark-review cases."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_countries import countries

from certification.models import Shop
from core.errors import DomainError
from core.exports import Column, export_response, requested_format
from quality.access import is_quality_staff, may_decide_reviews
from quality.definitions import DEFINITIONS
from quality.forms import DecisionForm, QueueFilter
from quality.models import MarkReview, ReviewState
from quality.selectors import alert_queue, reviews_queue
from quality.services import decide_review

PAGE_SIZE = 50


def _staff(request: HttpRequest) -> None:
    if not is_quality_staff(request.user):
        raise Http404("Not found.")


def _markets() -> list[tuple[str, str]]:
    codes = Shop.objects.order_by().values_list("target_market", flat=True).distinct()
    return sorted(((str(c), countries.name(c)) for c in codes if c), key=lambda p: p[1])


EXPORT_COLUMNS = [
    Column("since", lambda z: z.since),
    Column("shop", lambda z: z.shop.name),
    Column("domain", lambda z: z.shop.domain),
    Column("member", lambda z: z.shop.member.legal_name),
    Column("target_market", lambda z: str(z.shop.target_market)),
    Column("indicator", lambda z: z.key),
    Column("zone", lambda z: z.zone),
    Column("value", lambda z: z.value),
    Column("low", lambda z: z.low),
    Column("high", lambda z: z.high),
    Column("sample", lambda z: z.sample),
]


@login_required
@require_safe
def alerts(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = QueueFilter(request.GET or None, markets=_markets())
    market = key = ""
    if form.is_valid():
        market, key = form.cleaned_data["market"], form.cleaned_data["key"]
    rows = alert_queue(market=market, key=key)
    fmt = requested_format(request)
    if fmt == "csv":
        return export_response(fmt, filename="quality-alerts", columns=EXPORT_COLUMNS, rows=rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.definition = DEFINITIONS[row.key]
    return render(
        request,
        "quality/staff_alerts.html",
        {
            "form": form,
            "page": page,
            "open_reviews": reviews_queue().count(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_safe
def reviews(request: HttpRequest) -> HttpResponse:
    _staff(request)
    state = request.GET.get("state", ReviewState.OPEN)
    if state not in ReviewState.values and state != "":
        state = ReviewState.OPEN
    page = Paginator(reviews_queue(state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/staff_reviews.html",
        {"page": page, "state": state, "states": ReviewState.choices},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    case = get_object_or_404(MarkReview.objects.select_related("shop__member", "decided_by"), pk=pk)
    may_decide = may_decide_reviews(request.user) and case.state == ReviewState.OPEN
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise Http404("Not found.")
        if form.is_valid():
            try:
                decide_review(
                    review=case,
                    actor=request.user,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, _("The mark review is decided."))
                return redirect("quality_staff:review", pk=case.pk)
    evidence = [
        {**item, "definition": DEFINITIONS.get(item["key"])} for item in case.evidence or []
    ]
    mark = case.shop.marks.filter(state__in=["active", "suspended"]).first()
    return render(
        request,
        "quality/staff_review.html",
        {
            "case": case,
            "evidence": evidence,
            "form": form,
            "may_decide": may_decide,
            "mark": mark,
        },
        status=400 if request.method == "POST" else 200,
    )
