"""Insights as files: reviews, product reviews, the funnel and the theme figures, CSV or XLSX.

Only the shops the person may see (the caller passes them, from
reviews.insights.insight_shops); headers in the person's language (the request's
active language). Author email addresses are never exported: the shop writes to
an author through us.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from certification.models import Shop
from core.exports import Column, export_response
from reviews import insights, themes
from reviews.models import Review, Subject


def _theme_names(review: Review, names: dict[str, str]) -> str:
    return ", ".join(names.get(code, code) for code in review.themes)


def review_columns(names: dict[str, str]) -> list[Column]:
    return [
        Column(_("Review"), lambda r: r.pk),
        Column(_("Submitted"), lambda r: r.submitted_at),
        Column(_("Published"), lambda r: r.published_at),
        Column(_("Shop"), lambda r: r.shop.display_domain),
        Column(_("Stars"), lambda r: r.stars),
        Column(_("Service"), lambda r: r.service),
        Column(_("Delivery"), lambda r: r.delivery),
        Column(_("Product"), lambda r: r.product_rating),
        Column(_("Comment"), lambda r: r.shown_comment),
        Column(_("Language"), lambda r: r.language),
        Column(_("Author"), lambda r: r.author_name),
        Column(_("Label"), lambda r: r.get_label_display()),
        Column(_("Status"), lambda r: r.get_state_display()),
        Column(_("Themes"), lambda r: _theme_names(r, names)),
        Column(_("Answer"), lambda r: r.reply),
        Column(_("Answered"), lambda r: r.replied_at),
        Column(_("Archived"), lambda r: r.archived_at),
    ]


def product_review_columns(names: dict[str, str]) -> list[Column]:
    return [
        Column(_("Review"), lambda r: r.pk),
        Column(_("Submitted"), lambda r: r.submitted_at),
        Column(_("Published"), lambda r: r.published_at),
        Column(_("Shop"), lambda r: r.shop.display_domain),
        Column(_("SKU"), lambda r: r.product.sku),
        Column(_("Product"), lambda r: r.product.name),
        Column(_("GTIN"), lambda r: r.product.gtin),
        Column(_("Stars"), lambda r: r.stars),
        Column(_("Title"), lambda r: r.title),
        Column(_("Text"), lambda r: r.shown_comment),
        Column(_("Language"), lambda r: r.language),
        Column(_("Author"), lambda r: r.author_name),
        Column(_("Label"), lambda r: r.get_label_display()),
        Column(_("Status"), lambda r: r.get_state_display()),
        Column(_("Themes"), lambda r: _theme_names(r, names)),
        Column(_("Answer"), lambda r: r.reply),
    ]


FUNNEL_COLUMNS = [
    Column(_("Month"), lambda m: m.month.strftime("%Y-%m")),
    Column(_("Scheduled"), lambda m: m.counts["scheduled"]),
    Column(_("Sent"), lambda m: m.counts["sent"]),
    Column(_("Delivered"), lambda m: m.counts["delivered"]),
    Column(_("Clicked"), lambda m: m.counts["clicked"]),
    Column(_("Reviewed"), lambda m: m.counts["reviewed"]),
    Column(_("Unsubscribed"), lambda m: m.counts["unsubscribed"]),
    Column(_("Sent, % of scheduled"), lambda m: m.rates["sent"]),
    Column(_("Delivered, % of sent"), lambda m: m.rates["delivered"]),
    Column(_("Clicked, % of delivered"), lambda m: m.rates["clicked"]),
    Column(_("Reviewed, % of clicked"), lambda m: m.rates["reviewed"]),
    Column(_("Reviewed, % of sent"), lambda m: m.rates["review_rate"]),
    Column(_("Unsubscribed, % of sent"), lambda m: m.rates["unsubscribed"]),
]


@dataclass(frozen=True)
class ThemeFigure:
    month: date
    code: str
    name: str
    reviews: int
    stars: Decimal | None


THEME_COLUMNS = [
    Column(_("Month"), lambda t: t.month.strftime("%Y-%m")),
    Column(_("Theme"), lambda t: t.name),
    Column(_("Code"), lambda t: t.code),
    Column(_("Reviews"), lambda t: t.reviews),
    Column(_("Average stars"), lambda t: t.stars),
]


def _since(months: int) -> datetime:
    first = insights.month_starts(months)[0]
    return timezone.make_aware(datetime.combine(first, datetime.min.time()))


def reviews_for_export(shops: QuerySet[Shop], subject: str, months: int) -> QuerySet[Review]:
    """Every review of the shops submitted in the period, whatever its state, newest first."""
    return (
        Review.objects.filter(shop__in=shops, subject=subject, submitted_at__gte=_since(months))
        .select_related("shop", "product")
        .order_by("-submitted_at", "-pk")
    )


def theme_figures(shops: QuerySet[Shop], months: int, language: str) -> Iterator[ThemeFigure]:
    starts, rows, _totals = insights.theme_months(shops, language=language, months=months)
    for i, start in enumerate(starts):
        for row in rows:
            cell = row.cells[i]
            yield ThemeFigure(start, row.code, row.name, cell.count, cell.stars)


def respond(
    kind: str, fmt: str, *, shops: QuerySet[Shop], shop: Shop | None, months: int
) -> HttpResponseBase:
    """The file of one kind for these shops; an unknown kind is a 404."""
    language = get_language() or "en"
    names = themes.names(language)
    suffix = f"-{shop.display_domain}" if shop else ""
    if kind == "reviews":
        rows: Any = reviews_for_export(shops, Subject.SHOP, months)
        columns = review_columns(names)
    elif kind == "product-reviews":
        rows = reviews_for_export(shops, Subject.PRODUCT, months)
        columns = product_review_columns(names)
    elif kind == "funnel":
        rows, columns = insights.funnel(shops, months=months), FUNNEL_COLUMNS
    elif kind == "themes":
        rows, columns = list(theme_figures(shops, months, language)), THEME_COLUMNS
    else:
        raise Http404("No such export.")
    return export_response(fmt, filename=f"{kind}{suffix}", columns=columns, rows=rows)
