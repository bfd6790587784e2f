"""One case page for every party: what each may see and do now, and the action dispatcher.

The portal (shop people, mediators) and the buyer's signed link render the
same template; only the party, the URLs and the forms on offer differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.errors import DomainError
from core.forms import add_domain_error
from disputes import payouts, services
from disputes.access import CaseActor
from disputes.forms import (
    AnswerForm,
    AssignForm,
    CancelPayoutForm,
    ConfirmForm,
    DecisionForm,
    InformationForm,
    MessageForm,
    PayForm,
    ProposeForm,
    TextForm,
)
from disputes.models import Claim, ClaimState, Party, PayoutState
from disputes.selectors import case_history, thread


def _mediators() -> list[tuple[int, str]]:
    people = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.MEDIATOR)
        .distinct()
        .order_by("email")
    )
    return [(p.pk, p.email) for p in people]


@dataclass(frozen=True)
class Action:
    form: Callable[..., Any]
    parties: tuple[str, ...]
    run: Callable[[CaseActor, Claim, dict[str, Any]], Any]


def _payout(claim: Claim) -> Any:
    return claim.payout


ACTIONS: dict[str, Action] = {
    "message": Action(
        MessageForm,
        (Party.BUYER, Party.SHOP, Party.STAFF),
        lambda a, c, d: services.post_message(
            actor=a, claim=c, body=d["body"], files=d["files"], internal=d.get("internal", False)
        ),
    ),
    "answer": Action(
        AnswerForm,
        (Party.SHOP,),
        lambda a, c, d: services.answer_claim(
            actor=a,
            claim=c,
            answer=d["answer"],
            text=d["text"],
            carrier=d["carrier"],
            tracking=d["tracking"],
            files=d["files"],
        ),
    ),
    "settle": Action(
        TextForm,
        (Party.SHOP,),
        lambda a, c, d: services.settle_claim(actor=a, claim=c, note=d["text"]),
    ),
    "accept": Action(
        ConfirmForm, (Party.BUYER,), lambda a, c, d: services.accept_answer(actor=a, claim=c)
    ),
    "reject": Action(
        TextForm,
        (Party.BUYER,),
        lambda a, c, d: services.reject_answer(actor=a, claim=c, reason=d["text"]),
    ),
    "withdraw": Action(
        TextForm,
        (Party.BUYER,),
        lambda a, c, d: services.withdraw_claim(actor=a, claim=c, note=d["text"]),
    ),
    "take": Action(
        ConfirmForm, (Party.STAFF,), lambda a, c, d: services.assign_case(actor=a, claim=c)
    ),
    "assign": Action(
        AssignForm,
        (Party.STAFF,),
        lambda a, c, d: services.assign_case(
            actor=a, claim=c, mediator=get_user_model().objects.get(pk=d["mediator"])
        ),
    ),
    "ask": Action(
        InformationForm,
        (Party.STAFF,),
        lambda a, c, d: services.request_information(
            actor=a, claim=c, party=d["party"], question=d["question"], days=d["days"]
        ),
    ),
    "resume": Action(
        ConfirmForm, (Party.STAFF,), lambda a, c, d: services.resume_mediation(actor=a, claim=c)
    ),
    "decide": Action(
        DecisionForm,
        (Party.STAFF,),
        lambda a, c, d: services.decide_claim(
            actor=a,
            claim=c,
            for_buyer=d["outcome"] == "buyer",
            amount=d["amount"],
            reason=d["reason"],
        ),
    ),
    "approve_payout": Action(
        ConfirmForm,
        (Party.STAFF,),
        lambda a, c, d: payouts.approve_payout(actor=a, payout=_payout(c)),
    ),
    "pay": Action(
        PayForm,
        (Party.STAFF,),
        lambda a, c, d: payouts.mark_paid(actor=a, payout=_payout(c), reference=d["reference"]),
    ),
    "cancel_payout": Action(
        CancelPayoutForm,
        (Party.STAFF,),
        lambda a, c, d: payouts.cancel_payout(actor=a, payout=_payout(c), reason=d["reason"]),
    ),
    "propose_payout": Action(
        ProposeForm,
        (Party.STAFF,),
        lambda a, c, d: payouts.propose_again(actor=a, payout=_payout(c), amount=d["amount"]),
    ),
}


TITLES = {
    "message": (_("Write in the case"), _("Send")),
    "answer": (_("Answer the claim"), _("Send the answer")),
    "settle": (_("Settle with the buyer"), _("The claim is settled")),
    "accept": (_("Accept the shop's answer"), _("Accept: the matter is settled")),
    "reject": (_("Reject the shop's answer"), _("Reject: ask Trustmark to mediate")),
    "withdraw": (_("Withdraw the claim"), _("Withdraw")),
    "take": (_("Take the case"), _("Assign to me")),
    "assign": (_("Hand the case to a mediator"), _("Assign")),
    "ask": (_("Ask for information"), _("Ask")),
    "resume": (_("Go on without the information"), _("Resume mediation")),
    "decide": (_("Decide"), _("Record the decision")),
    "approve_payout": (_("Approve the payout"), _("Approve")),
    "pay": (_("Record the transfer"), _("Mark as paid")),
    "cancel_payout": (_("Cancel the payout"), _("Cancel the payout")),
    "propose_payout": (_("Propose the payout again"), _("Propose")),
}
DANGER = {"withdraw", "cancel_payout", "reject"}


def _build_form(name: str, data: Any = None, files: Any = None) -> Any:
    action = ACTIONS[name]
    if action.form is AssignForm:
        return AssignForm(data, files, mediators=_mediators())
    return action.form(data, files)


def offered(actor: CaseActor, claim: Claim) -> list[str]:
    """The actions this party may take on the case as it stands."""
    state, party = claim.state, actor.party
    ended = state in (
        ClaimState.RESOLVED,
        ClaimState.WITHDRAWN,
        ClaimState.DECIDED_FOR_SHOP,
        ClaimState.CLOSED,
    )
    names = [] if ended else ["message"]
    if party == Party.SHOP:
        names += ["answer"] if state == ClaimState.AWAITING_SHOP else []
        names += ["settle"] if claim.is_undecided else []
    elif party == Party.BUYER:
        names += ["accept", "reject"] if state == ClaimState.SHOP_ANSWERED else []
        names += ["withdraw"] if claim.is_undecided else []
    elif party == Party.STAFF and not ended:
        if claim.mediator_id != actor.user.pk:
            names.append("take")
        names.append("assign")
        names += ["ask", "decide"] if state == ClaimState.IN_MEDIATION else []
        names += ["resume"] if state == ClaimState.AWAITING_INFORMATION else []
        payout = getattr(claim, "payout", None)
        if payout is not None:
            names += {
                PayoutState.PROPOSED: ["approve_payout", "cancel_payout"],
                PayoutState.APPROVED: ["pay", "cancel_payout"],
                PayoutState.CANCELLED: ["propose_payout"],
            }.get(payout.state, [])
    return names


def render_case(
    request: HttpRequest,
    claim: Claim,
    actor: CaseActor,
    *,
    base: str,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    names = offered(actor, claim)
    names = [*[name for name in bound if name not in names], *names]  # a refusal stays visible
    forms = [
        {
            "name": name,
            "title": TITLES[name][0],
            "button": TITLES[name][1],
            "danger": name in DANGER,
            "form": bound.get(name) or _build_form(name),
        }
        for name in names
    ]
    response = render(
        request,
        "disputes/case.html",
        {
            "claim": claim,
            "actor": actor,
            "staff": actor.is_staff,
            "messages_list": thread(claim, staff=actor.is_staff),
            "history": case_history(claim, staff=actor.is_staff),
            "payout": getattr(claim, "payout", None),
            "forms": forms,
            "base": base,
            "four_eyes_above": settings.PAYOUT_FOUR_EYES_ABOVE,
        },
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def run_action(
    request: HttpRequest, claim: Claim, actor: CaseActor, name: str, *, base: str
) -> HttpResponse:
    """Run one POSTed action; a refusal re-renders the page with the message on its form."""
    action = ACTIONS.get(name)
    if action is None or actor.party not in action.parties:
        return render_case(request, claim, actor, base=base, status=404)
    form = _build_form(name, request.POST, request.FILES)
    if form.is_valid():
        try:
            action.run(actor, claim, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return HttpResponseRedirect(base)
    claim.refresh_from_db()
    return render_case(request, claim, actor, base=base, bound={name: form}, status=400)
