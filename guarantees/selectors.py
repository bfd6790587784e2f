"""What pages read about guarantees: the buyer's signed link, filtered lists and their totals."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from certification.access import shops_with_right, staff_sees_area
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
    """The guarantees of every shop where the person holds the cases right, filtered.

    Staff who see every shop's cases get no shop filter at all. Others' shops are read
    first (one short query) and passed as literal ids: PostgreSQL then knows each shop's
    share of the guarantees from its statistics, and for a member whose shops hold
    many reads guarantee_recent_idx newest first until a page is full, while for a
    member with few it sorts their own; behind a subquery it can only guess.
    """
    if staff_sees_area(user, Area.CASES):
        guarantees = Guarantee.objects.all()
    else:
        shop_ids = list(shops_with_right(user, Area.CASES).values_list("pk", flat=True))
        guarantees = Guarantee.objects.filter(shop_id__in=shop_ids)
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


# Newest first; the id breaks ties, so that a page starts exactly after the one before.
GUARANTEE_LIST_ORDER = ("-created_at", "-pk")


def totals_by_currency(guarantees: QuerySet[Guarantee]) -> list[dict[str, Any]]:
    """Count, order amounts and cover per currency (amounts in different currencies never add)."""
    return list(
        guarantees.order_by()
        .values("currency")
        .annotate(count=Count("pk"), amount=Sum("amount"), cover=Sum("cover_amount"))
        .order_by("currency")
    )
