"""The insights pages: funnel, themes, phrases and benchmark; the reviews behind a figure.

People with the `reviews` right see their shops (one, or all of them together);
review moderators and administrators see every shop. A shop id the person may
not see is ignored (the filter falls back to their shops), never revealed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from certification.models import Shop
from core.exports import requested_format
from reviews import insight_exports, insights, phrases, themes
from reviews.access import is_moderator
from reviews.models import Review, Subject

SHOP_CHOICES_LIMIT = 200
PAGE_SIZE = 50
MONTH_CHOICES = [(6, "6"), (12, "12"), (24, "24")]


def _month(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return None


class InsightFilter(forms.Form):
    shop = forms.TypedChoiceField(
        label=gettext_lazy("Shop"), required=False, coerce=int, empty_value=None
    )
    months = forms.TypedChoiceField(
        label=gettext_lazy("Months"), required=False, coerce=int, choices=MONTH_CHOICES
    )

    def __init__(
        self, *args: Any, shops: list[tuple[int, str]], staff: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        every = _("All shops") if staff else _("All my shops")
        self.fields["shop"].choices = [("", every), *shops]


class ReviewFilter(forms.Form):
    """The figure a person clicked: theme, month, stars, invitation month or phrase."""

    shop = forms.IntegerField(required=False)
    theme = forms.SlugField(required=False, max_length=40)
    month = forms.CharField(required=False, max_length=7)
    invited = forms.CharField(required=False, max_length=7)
    stars = forms.CharField(required=False, max_length=8)
    subject = forms.ChoiceField(required=False, choices=[("", ""), *Subject.choices])
    phrase = forms.CharField(required=False, max_length=200)


def _shop_choices(user: Any) -> list[tuple[int, str]]:
    shops = list(
        insights.insight_shops(user)
        .order_by("domain")
        .values_list("pk", "domain")[:SHOP_CHOICES_LIMIT]
    )
    if not shops:
        raise PermissionDenied(_("You need the reviews right on a shop."))
    return shops


def scope(user: Any, shop_id: int | None) -> tuple[QuerySet[Shop], Shop | None]:
    """The shops a figure covers: the one chosen if the person may see it, else all theirs."""
    mine = insights.insight_shops(user)
    if shop_id:
        chosen = mine.filter(pk=shop_id).first()
        if chosen is not None:
            return Shop.objects.filter(pk=chosen.pk), chosen
    return mine, None


def _selection(request: HttpRequest) -> tuple[InsightFilter, QuerySet[Shop], Shop | None, int]:
    choices = _shop_choices(request.user)
    data = request.GET.copy()
    if len(choices) == 1 and data.get("shop") != str(choices[0][0]):
        data["shop"] = str(choices[0][0])  # one shop: always that one
    data.setdefault("months", "12")
    form = InsightFilter(data, shops=choices, staff=is_moderator(request.user))
    cleaned = form.cleaned_data if form.is_valid() else {}
    shops, shop = scope(request.user, cleaned.get("shop"))
    return form, shops, shop, cleaned.get("months") or 12


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    form, shops, shop, months = _selection(request)
    language = get_language() or "en"
    funnel = insights.funnel(shops, months=months)
    starts, theme_rows, review_totals = insights.theme_months(
        shops, language=language, months=months
    )
    staff = is_moderator(request.user)
    every_shop = staff and shop is None
    context: dict[str, Any] = {
        "form": form,
        "shop": shop,
        "shop_query": f"shop={shop.pk}&" if shop else "",
        "months": months,
        "funnel": list(reversed(funnel)),
        "funnel_total": insights.funnel_total(funnel),
        "starts": starts,
        "theme_rows": theme_rows,
        "review_totals": review_totals,
        "phrases": insights.distinctive_phrases(shops, every_shop=every_shop),
        "phrase_days": insights.PHRASE_DAYS,
        "every_shop": every_shop,
        "benchmark": insights.benchmark(shop) if shop else None,
        "min_group": insights.MIN_GROUP,
    }
    if staff and shop is None:
        context["groups"], context["groups_left_out"] = insights.benchmark_groups()
    return render(request, "reviews/insights/overview.html", context)


def filtered_reviews(user: Any, filters: dict[str, Any]) -> QuerySet[Review]:
    """Visible reviews of the person's shops behind one figure of the insights page."""
    shops, _shop = scope(user, filters.get("shop"))
    rows = insights.reviews_of(shops, filters.get("subject") or "")
    if filters.get("theme"):
        rows = rows.filter(themes__contains=[filters["theme"]])
    if month := _month(filters.get("month") or ""):
        rows = rows.filter(
            submitted_at__gte=_start_of(month),
            submitted_at__lt=_start_of(month + relativedelta(months=1)),
        )
    if month := _month(filters.get("invited") or ""):
        rows = rows.filter(
            invitation__created_at__gte=_start_of(month),
            invitation__created_at__lt=_start_of(month + relativedelta(months=1)),
        )
    stars = filters.get("stars") or ""
    if stars == "negative":
        rows = rows.filter(stars__lte=insights.NEGATIVE_MAX_STARS)
    elif stars.isdigit() and 1 <= int(stars) <= 5:
        rows = rows.filter(stars=int(stars))
    return rows.select_related("shop", "product").order_by("-submitted_at", "-pk")


def _start_of(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month, datetime.min.time()))


def _with_phrase(rows: QuerySet[Review], phrase: str) -> list[Review]:
    """Reviews of the phrase window whose text holds the phrase (compared by stems)."""
    recent = rows.filter(
        submitted_at__gte=timezone.now() - relativedelta(days=insights.PHRASE_DAYS)
    )
    wanted = {
        language: next(iter(phrases.phrase_keys(phrase, language)), None)
        for language in themes.STEMMERS
    }
    found = []
    for review in recent[: insights.PHRASE_REVIEWS]:
        key = wanted.get(themes.language_of(review.language))
        if key and key in phrases.phrase_keys(themes.review_text(review), review.language):
            found.append(review)
    return found


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    _shop_choices(request.user)
    form = ReviewFilter(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    rows: Any = filtered_reviews(request.user, filters)
    if filters.get("phrase"):
        rows = _with_phrase(rows, filters["phrase"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = themes.names(get_language() or "en")
    for review in page.object_list:
        review.theme_labels = [names.get(code, code) for code in review.themes]
    return render(
        request,
        "reviews/insights/reviews.html",
        {
            "page": page,
            "filters": filters,
            "theme_name": names.get(filters.get("theme") or ""),
        },
    )


@login_required
def export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """Reviews, product reviews, the funnel or the theme figures as CSV (default) or XLSX."""
    _form, shops, shop, months = _selection(request)
    fmt = requested_format(request) or "csv"
    return insight_exports.respond(kind, fmt, shops=shops, shop=shop, months=months)


__all__ = ["export", "filtered_reviews", "overview", "review_list", "scope"]
