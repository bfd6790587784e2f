"""Case pages in the portal: the shop's cases, the mediators' queue, the case, recourse."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role, user_has_role
from core.errors import DomainError
from core.exports import export_response, requested_format
from core.pagination import InvalidCursor, Keyset, invalid_cursor_response
from core.uploads import download
from disputes.access import claims_for_shop_people, is_mediator, portal_actor
from disputes.case_page import render_case, run_action
from disputes.exports import MEDIATION_COLUMNS, SHOP_CASE_COLUMNS
from disputes.models import Attachment, Claim, ClaimState, Party, RecourseEntry
from disputes.recourse import record_reimbursement
from disputes.selectors import (
    AMOUNT_BANDS,
    MEDIATION_QUEUE_ORDER,
    mediation_queue,
    open_recourse_entries,
    recourse_balances,
    shop_cases,
)
from guarantees.links import page_token

# A deep page of the queue costs what the first does: a range of claim_queue_order_idx.
QUEUE_PAGES = Keyset("mediation-queue", MEDIATION_QUEUE_ORDER, per_page=25)


def _case(request: HttpRequest, number: str) -> tuple[Claim, object]:
    claim = get_object_or_404(
        Claim.objects.select_related("guarantee", "shop", "mediator"), number=number
    )
    actor = portal_actor(request.user, claim)
    return claim, actor


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The shop's cases, the nearest deadline first."""
    if is_mediator(request.user):
        return redirect("disputes:queue")
    claims = claims_for_shop_people(request.user)
    state = request.GET.get("state", "")
    state = state if state in ClaimState.values else ""
    shop = request.GET.get("shop", "")
    if shop:
        claims = claims.filter(shop__public_id=shop)
    rows = shop_cases(claims, state=state)
    if fmt := requested_format(request):
        return export_response(fmt, filename="claims", columns=SHOP_CASE_COLUMNS, rows=rows)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "disputes/case_list.html",
        {"page": page, "state": state, "states": ClaimState.choices, "shop": shop},
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Mediators' work: filter by state, overdue, mine, amount band; sorted by due date."""
    if not is_mediator(request.user):
        raise Http404("Not found.")
    state = request.GET.get("state", "")
    state = state if state in ClaimState.values else ""
    band = request.GET.get("band", "")
    band = band if band in AMOUNT_BANDS else ""
    mine = request.GET.get("mine") == "1"
    overdue = request.GET.get("overdue") == "1"
    due_today = request.GET.get("due") == "today"
    flagged = request.GET.get("flagged") == "1"
    claims = mediation_queue(
        user=request.user,
        state=state,
        overdue=overdue,
        mine=mine,
        band=band,
        due_today=due_today,
        flagged=flagged,
    )
    if fmt := requested_format(request):
        return export_response(
            fmt, filename="mediation-queue", columns=MEDIATION_COLUMNS, rows=claims
        )
    try:
        page = QUEUE_PAGES.page(claims, request.GET.get("cursor"))
    except InvalidCursor:
        return invalid_cursor_response(request)
    return render(
        request,
        "disputes/queue.html",
        {
            "page": page,
            "state": state,
            "band": band,
            "mine": mine,
            "overdue": overdue,
            "due_today": due_today,
            "flagged": flagged,
            "states": ClaimState.choices,
        },
    )


@login_required
def case(request: HttpRequest, number: str) -> HttpResponse:
    claim, actor = _case(request, number)
    if actor.party == Party.BUYER:
        return redirect(
            reverse("claims:case", args=[page_token(claim.guarantee.number), claim.number])
        )
    return render_case(request, claim, actor, base=reverse("disputes:case", args=[number]))


@login_required
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    claim, actor = _case(request, number)
    return run_action(request, claim, actor, action, base=reverse("disputes:case", args=[number]))


@login_required
def attachment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    claim, actor = _case(request, number)
    return serve_attachment(claim, pk, staff=actor.is_staff)


def serve_attachment(claim: Claim, pk: int, *, staff: bool) -> HttpResponse:
    """An attachment of this case; internal notes' files to staff only."""
    files = Attachment.objects.filter(message__claim=claim, pk=pk).exclude(file="")  # erased
    if not staff:
        files = files.filter(message__internal=False)
    found = files.first()
    if found is None:
        raise Http404("No such file.")
    return download(found.file, filename=found.name, content_type=found.content_type)


@login_required
def recourse(request: HttpRequest) -> HttpResponse:
    """Administrators: what each member owes for paid claims."""
    if not user_has_role(request.user, Role.ADMINISTRATOR):
        raise Http404("Not found.")
    return render(
        request,
        "disputes/recourse.html",
        {"balances": recourse_balances(), "entries": open_recourse_entries(), "error": ""},
    )


@login_required
@require_POST
def recourse_reimbursed(request: HttpRequest, pk: int) -> HttpResponse:
    """Administrators: record that the member paid one entry back."""
    if not user_has_role(request.user, Role.ADMINISTRATOR):
        raise Http404("Not found.")
    entry = get_object_or_404(RecourseEntry, pk=pk)
    try:
        received_on = date.fromisoformat(request.POST.get("received_on", ""))
    except ValueError:
        error = _("Give the date the payment was received.")
    else:
        try:
            record_reimbursement(
                entry=entry,
                actor=request.user,
                received_on=received_on,
                reference=request.POST.get("reference", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Recorded as paid back."))
            return redirect("disputes:recourse")
    return render(
        request,
        "disputes/recourse.html",
        {"balances": recourse_balances(), "entries": open_recourse_entries(), "error": error},
        status=422,
    )
