"""Member portal: webhook endpoints, their secrets, test events and the delivery log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from certification import integrations as services
from certification.access import shops_with_right
from certification.models import Area, Shop
from core.errors import DomainError
from notifications.models import WebhookDelivery, WebhookEndpoint
from notifications.webhooks import EVENT_TYPES

PAGE_SIZE = 25
CHOICES_LIMIT = 200


class EndpointForm(forms.Form):
    member = forms.TypedChoiceField(label=gettext_lazy("Member"), coerce=int)
    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=2000,
        help_text=gettext_lazy("The HTTPS address of your receiver."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=[(t, t) for t in EVENT_TYPES if t != "ping"],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    shops = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Shops"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None chosen: every shop of the member."),
    )
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = list(services.members_managed_by(user).order_by("legal_name")[:CHOICES_LIMIT])
        self.fields["member"].choices = [(m.pk, m.legal_name) for m in members]
        if len(members) == 1:
            self.fields["member"].initial = members[0].pk
            self.fields["member"].widget = forms.HiddenInput()
        shops = (
            shops_with_right(user, Area.INTEGRATIONS)
            .filter(member__in=members)
            .select_related("member")
            .order_by("member__legal_name", "domain")[:CHOICES_LIMIT]
        )
        self.fields["shops"].choices = [
            (s.pk, s.display_domain if len(members) == 1 else f"{s.display_domain} ({s.member})")
            for s in shops
        ]


def _save(request: HttpRequest, form: EndpointForm, endpoint: WebhookEndpoint | None) -> Any:
    data = form.cleaned_data
    shops = list(Shop.objects.filter(pk__in=data["shops"]))
    values = {
        "url": data["url"],
        "event_types": data["event_types"],
        "description": data["description"],
        "shops": shops,
        "enabled": data["enabled"],
    }
    if endpoint is None:
        member = services.members_managed_by(request.user).get(pk=data["member"])
        return services.add_endpoint(actor=request.user, member=member, **values)
    return services.update_endpoint(actor=request.user, endpoint=endpoint, **values)


def _show_secret(request: HttpRequest, endpoint: WebhookEndpoint, text: str) -> None:
    messages.success(request, text % {"secret": endpoint.secret})


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = (
        services.endpoints_visible_to(request.user)
        .select_related("member")
        .prefetch_related("shops")
        .annotate(
            failed=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED))
        )
        .order_by("member__legal_name", "created_at")
    )
    may_add = services.members_managed_by(request.user).exists()
    return render(
        request,
        "notifications/webhooks/list.html",
        {"endpoints": endpoints, "may_add": may_add},
    )


@login_required
def endpoint_add(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None, user=request.user)
    if not form.fields["member"].choices:
        raise PermissionDenied(_("You need the integrations right on a member or shop."))
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = _save(request, form, None)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            _show_secret(
                request,
                endpoint,
                _(
                    "Endpoint added. Its signing secret (copy it now, it is not shown "
                    "again): %(secret)s"
                ),
            )
            return redirect("portal:integrations:endpoint", pk=endpoint.pk)
    return render(request, "notifications/webhooks/form.html", {"form": form, "endpoint": None})


@login_required
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.get_endpoint_for(request.user, pk)
    initial = {
        "member": endpoint.member_id,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "description": endpoint.description,
        "shops": [s.pk for s in endpoint.shops.all()],
        "enabled": endpoint.enabled,
    }
    form = EndpointForm(request.POST or None, user=request.user, initial=initial)
    form.fields["member"].widget = forms.HiddenInput()
    form.fields["member"].choices = [(endpoint.member_id, str(endpoint.member))]
    if request.method == "POST" and form.is_valid():
        try:
            _save(request, form, endpoint)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("portal:integrations:endpoint", pk=endpoint.pk)
    return render(request, "notifications/webhooks/form.html", {"form": form, "endpoint": endpoint})


class LogFilter(forms.Form):
    type = forms.ChoiceField(label=gettext_lazy("Event"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("Outcome"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["type"].choices = every + [(t, t) for t in EVENT_TYPES]
        self.fields["state"].choices = every + list(WebhookDelivery.State.choices)


def delivery_log(endpoint: WebhookEndpoint, filters: dict[str, str]) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, each with its attempts: two queries a page."""
    rows = endpoint.deliveries.select_related("event").prefetch_related("log")
    if filters.get("type"):
        rows = rows.filter(event__type=filters["type"])
    if filters.get("state"):
        rows = rows.filter(state=filters["state"])
    return rows.order_by("-event__created_at", "-pk")


@login_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.get_endpoint_for(request.user, pk)
    form = LogFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(delivery_log(endpoint, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "shops": list(endpoint.shops.all()),
            "form": form,
            "page": page,
        },
    )


def _act(request: HttpRequest, pk: int, work: Any, done: str) -> HttpResponse:
    endpoint = services.get_endpoint_for(request.user, pk)
    try:
        result = work(endpoint)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, done % {"secret": getattr(result, "secret", "")})
    return redirect("portal:integrations:endpoint", pk=pk)


@login_required
@require_POST
def endpoint_enable(request: HttpRequest, pk: int) -> HttpResponse:
    def work(endpoint: WebhookEndpoint) -> Any:
        was_disabled = not endpoint.enabled
        endpoint = services.set_enabled(actor=request.user, endpoint=endpoint, enabled=True)
        if was_disabled and request.POST.get("resend_missed"):
            count = services.resend_missed(actor=request.user, endpoint=endpoint)
            messages.info(
                request, _("%(count)d missed events will be sent again.") % {"count": count}
            )
        return endpoint

    return _act(request, pk, work, _("Endpoint enabled."))


@login_required
@require_POST
def endpoint_disable(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda e: services.set_enabled(actor=request.user, endpoint=e, enabled=False),
        _("Endpoint disabled: no events are sent to it."),
    )


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda e: services.rotate_endpoint_secret(actor=request.user, endpoint=e),
        _(
            "New signing secret (copy it now, it is not shown again): %(secret)s. "
            "For 24 hours deliveries are signed with the old one as well."
        ),
    )


@login_required
@require_POST
def endpoint_ping(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda e: services.send_ping(actor=request.user, endpoint=e),
        _("A test event (ping) is on its way; see the log below."),
    )


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.get_endpoint_for(request.user, pk)
    try:
        services.delete_endpoint(actor=request.user, endpoint=endpoint)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:integrations:endpoint", pk=pk)
    messages.success(request, _("Endpoint deleted."))
    return redirect("portal:integrations:list")


@login_required
@require_POST
def delivery_resend(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    def work(endpoint: WebhookEndpoint) -> Any:
        delivery = services.get_delivery_for(request.user, endpoint, delivery_id)
        return services.redeliver(actor=request.user, delivery=delivery)

    return _act(request, pk, work, _("The event is sent again, with the same webhook-id."))
