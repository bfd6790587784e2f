"""The columns of the case lists' CSV and XLSX files: what the pages show, as raw values."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.exports import Column

SHOP_CASE_COLUMNS = [
    Column(_("Claim"), lambda c: c.number),
    Column(_("Reason"), lambda c: c.get_reason_display()),
    Column(_("Shop"), lambda c: c.shop.display_domain),
    Column(_("Order"), lambda c: c.guarantee.order_reference),
    Column(_("Amount claimed"), lambda c: c.amount),
    Column(_("Currency"), lambda c: c.currency),
    Column(_("Status"), lambda c: c.get_state_display()),
    Column(_("Answer by"), lambda c: c.due),
    Column(_("Filed"), lambda c: c.opened_at),
]

MEDIATION_COLUMNS = [
    Column(_("Claim"), lambda c: c.number),
    Column(_("Reason"), lambda c: c.get_reason_display()),
    Column(_("Shop"), lambda c: c.shop.display_domain),
    Column(_("Amount claimed"), lambda c: c.amount),
    Column(_("Currency"), lambda c: c.currency),
    Column(_("Status"), lambda c: c.get_state_display()),
    Column(_("Mediator"), lambda c: c.mediator.get_short_name() if c.mediator else ""),
    Column(_("Due"), lambda c: c.due),
    Column(_("Filed"), lambda c: c.opened_at),
    Column(_("Open more than 90 days"), lambda c: c.overdue_flagged_at is not None),
]
