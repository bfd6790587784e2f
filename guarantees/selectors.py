"""What pages read about guarantees: the buyer's signed link, filtered lists and their totals."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from certification.access import shops_with_right
from certification.models import Area
from guarantees.links import number_from_page_token
from guarantees.models import Guarantee


def guarantee_for_link(token: str) -> Guarantee:
    """The guarantee a buyer's signed link names; a forged or unknown link is a 404."""
    number = number_from_page_token(token)
    if number is None:
        raise Http404("This link is not valid. Copy the whole link from the email.")
    return get_object_or_404(Guarantee.objects.select_related("shop"), number=number)


def guarantees_for(
    user: Any,
    *,
    shop_id: int | None = None,
    state: str = "",
    plan: str = "",
    channel: str = "",
    registered_from: date | None = None,
    registered_to: date | None = None,
    search: str = "",
) -> QuerySet[Guarantee]:
    """The guarantees of every shop where the person holds the cases right, filtered."""
    guarantees = Guarantee.objects.filter(shop__in=shops_with_right(user, Area.CASES))
    if shop_id:
        guarantees = guarantees.filter(shop_id=shop_id)
    if state:
        guarantees = guarantees.filter(state=state)
    if plan:
        guarantees = guarantees.filter(plan=plan)
    if channel:
        guarantees = guarantees.filter(channel=channel)
    if registered_from:
        guarantees = guarantees.filter(created_at__date__gte=registered_from)
    if registered_to:
        guarantees = guarantees.filter(created_at__date__lte=registered_to)
    if search:
        term = search.strip()
        guarantees = guarantees.filter(
            Q(number__iexact=term)
            | Q(order_reference__icontains=term)
            | Q(buyer_email__icontains=term)
        )
    return guarantees


def totals_by_currency(guarantees: QuerySet[Guarantee]) -> list[dict[str, Any]]:
    """Count, order amounts and cover per currency (amounts in different currencies never add)."""
    return list(
        guarantees.order_by()
        .values("currency")
        .annotate(count=Count("pk"), amount=Sum("amount"), cover=Sum("cover_amount"))
        .order_by("currency")
    )
