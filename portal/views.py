"""Portal pages: dashboards by role, shops, the team and invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role, user_has_role
from audits import selectors as audit_selectors
from certification import selectors as cert_selectors
from certification.access import GrantPolicy, get_member_for_team, get_shop_for, is_staff_viewer
from certification.models import Area, Invitation, Shop, TeamMembership
from certification.team import (
    accept_invitation as accept_invitation_service,
)
from certification.team import (
    invite_person,
    read_invitation_token,
    remove_from_team,
    set_rights,
    withdraw_invitation,
)
from certification.verification import verification_url
from core.errors import DomainError
from core.forms import add_domain_error
from guarantees.checkout import rotate_secret, shop_secret
from guarantees.keys import create_api_key, revoke_api_key
from guarantees.models import ApiKey
from portal import dashboards
from portal.forms import AcceptInvitationForm, InviteForm, RightsForm


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return redirect("accounts:login")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What this person has to do today: queues for staff, shops, audits and claims for
    merchants; every figure links to the page where the work is done."""
    user = request.user
    context = {
        "is_auditor": user_has_role(user, Role.AUDITOR),
        "is_mediator": user_has_role(user, Role.MEDIATOR),
        "is_administrator": user_has_role(user, Role.ADMINISTRATOR),
        "is_staff_viewer": is_staff_viewer(user),
    }
    if context["is_auditor"]:
        context["audits"] = dashboards.auditor_dashboard(user)
    if context["is_mediator"]:
        context["cases"] = dashboards.mediator_dashboard(user)
    if context["is_administrator"]:
        context["admin"] = dashboards.administrator_dashboard()
    if context["is_staff_viewer"]:
        context["member_count"] = cert_selectors.members_for_dashboard(user).count()
        context["shop_count"] = Shop.objects.live().count()
    else:
        context["merchant"] = dashboards.merchant_dashboard(user)
        context["members"] = context["merchant"].members
        context["now"] = timezone.now()
    return render(request, "portal/dashboard.html", context)


@login_required
def shop_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    shops = cert_selectors.shops_for_list(request.user, query=query)
    return render(request, "portal/shop_list.html", {"shops": shops, "query": query})


@login_required
def shop_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    shop = get_shop_for(request.user, public_id)
    policy = GrantPolicy.of(request.user, shop.member)
    staff = is_staff_viewer(request.user)
    areas = [{"area": area, "allowed": policy.holds_on(area, shop.pk) or staff} for area in Area]
    context = {"shop": shop, "areas": areas}
    if staff or policy.holds_on(Area.DOCUMENTS, shop.pk):
        mark = cert_selectors.live_mark_of(shop)
        context.update(
            mark=mark,
            history=cert_selectors.mark_history(mark) if mark else [],
            documents=cert_selectors.documents_of(shop),
            badge_url=settings.SITE_URL + reverse("badge_svg", args=[shop.public_id]),
            verify_url=verification_url(mark.number) if mark else "",
        )
    if policy.holds_on(Area.CASES, shop.pk) and not staff:
        context["checkout_secret"] = shop_secret(shop)
        context["api_keys"] = ApiKey.objects.filter(shop=shop).order_by("-created_at")
    if staff or policy.holds_on(Area.AUDITS, shop.pk):
        context["audits"] = audit_selectors.audits_of_shop(shop)
        context["may_apply"] = policy.holds_on(Area.AUDITS, shop.pk) and not shop.closed_at
    return render(request, "portal/shop_detail.html", context)


@login_required
def team(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_member_for_team(request.user, member_id)
    policy = GrantPolicy.of(request.user, member)
    shops = list(cert_selectors.live_shops_of(member))
    form = InviteForm(request.POST or None, policy=policy, shops=shops)
    if request.method == "POST" and form.is_valid():
        try:
            invite_person(
                actor=request.user,
                member=member,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                rights=list(form.chosen_rights()),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("portal:team", member_id=member.pk)
    shop_names = {shop.pk: shop.display_domain for shop in shops}
    return render(
        request,
        "portal/team.html",
        {
            "member": member,
            "rows": cert_selectors.team_of(member),
            "invitations": cert_selectors.open_invitations(member),
            "form": form,
            "shop_names": shop_names,
        },
    )


@login_required
def team_person(request: HttpRequest, member_id: int, user_id: int) -> HttpResponse:
    member = get_member_for_team(request.user, member_id)
    membership = (
        TeamMembership.objects.select_related("user").filter(member=member, user_id=user_id).first()
    )
    if membership is None:
        raise Http404("No such person in this team.")
    policy = GrantPolicy.of(request.user, member)
    shops = list(cert_selectors.live_shops_of(member))
    rows = {row.user.pk: row for row in cert_selectors.team_of(member)}
    current = rows[membership.user_id].rights
    form = RightsForm(request.POST or None, policy=policy, shops=shops, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            set_rights(
                actor=request.user,
                member=member,
                person=membership.user,
                rights=form.chosen_rights(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Rights saved."))
            return redirect("portal:team", member_id=member.pk)
    return render(
        request,
        "portal/team_person.html",
        {"member": member, "membership": membership, "form": form},
    )


@login_required
@require_POST
def team_remove(request: HttpRequest, member_id: int, user_id: int) -> HttpResponse:
    member = get_member_for_team(request.user, member_id)
    membership = (
        TeamMembership.objects.select_related("user").filter(member=member, user_id=user_id).first()
    )
    if membership is None:
        raise Http404("No such person in this team.")
    try:
        remove_from_team(actor=request.user, member=member, person=membership.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(person)s was removed from the team.") % {"person": membership.user}
        )
    return redirect("portal:team", member_id=member.pk)


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, member_id: int, invitation_id: int) -> HttpResponse:
    member = get_member_for_team(request.user, member_id)
    invitation = Invitation.objects.filter(member=member, pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        withdraw_invitation(actor=request.user, invitation=invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation withdrawn."))
    return redirect("portal:team", member_id=member.pk)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link; the service decides what the link allows."""
    try:
        invitation = read_invitation_token(token)
    except DomainError as exc:
        return render(request, "portal/invitation_invalid.html", {"error": exc.message}, status=400)
    needs_account = not request.user.is_authenticated
    form = AcceptInvitationForm(request.POST or None) if needs_account else None
    error = None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            accept_invitation_service(
                token=token,
                user=request.user if request.user.is_authenticated else None,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except DomainError as exc:
            if form is not None and exc.field == "password":
                form.add_error("password1", exc.message)
            else:
                error = exc.message
        else:
            messages.success(
                request,
                _("Welcome to the team of %(member)s.") % {"member": invitation.member},
            )
            if request.user.is_authenticated:
                return redirect("portal:dashboard")
            messages.info(request, _("Sign in with your email and new password."))
            return redirect("accounts:login")
    return render(
        request,
        "portal/invitation_accept.html",
        {"invitation": invitation, "form": form, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def checkout_secret_rotate(request: HttpRequest, public_id: str) -> HttpResponse:
    shop = get_shop_for(request.user, public_id)
    try:
        rotate_secret(shop=shop, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("A new checkout secret is in use; links signed with the old one no longer work."),
        )
    return redirect(reverse("portal:shop_detail", args=[shop.public_id]) + "#checkout")


@login_required
@require_POST
def api_key_create(request: HttpRequest, public_id: str) -> HttpResponse:
    """Create a key; its secret is shown this once, on the next page."""
    shop = get_shop_for(request.user, public_id)
    try:
        _key, secret = create_api_key(
            shop=shop, actor=request.user, name=request.POST.get("name", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("New API key (copy it now, it is not shown again): %(secret)s") % {"secret": secret},
        )
    return redirect(reverse("portal:shop_detail", args=[shop.public_id]) + "#api-keys")


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, public_id: str, key_id: int) -> HttpResponse:
    shop = get_shop_for(request.user, public_id)
    key = ApiKey.objects.filter(shop=shop, pk=key_id).first()
    if key is None:
        raise Http404("No such key.")
    try:
        revoke_api_key(key=key, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The API key is revoked."))
    return redirect(reverse("portal:shop_detail", args=[shop.public_id]) + "#api-keys")
