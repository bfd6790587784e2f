"""Member portal pages for reviews: the list, the negative queue, one review, settings, alerts.

Pages read through reviews.portal_selectors and reviews.access (a review or a
shop the person may not work is a 404) and change through reviews.services
and reviews.shop_services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role, user_has_role
from certification.access import is_owner
from certification.models import Shop
from core.errors import DomainError
from core.forms import add_domain_error
from reviews import moderation, services, shop_services
from reviews import portal_selectors as selectors
from reviews.access import get_review_for, is_moderator, review_shops
from reviews.forms import AlertsForm, MessageForm, ModeForm, ReplyForm, ReviewFilter, SettingsForm
from reviews.models import OPEN_REPORT_STATES, AlertPreference, Review, ReviewMode, ReviewSettings
from reviews.models.reports import Reporter
from reviews.models.reviews import REPORTABLE_STATES

PAGE_SIZE = 25


def _url_or_none(name: str, *args: Any) -> str | None:
    """A link to a page another part builds; left out while that page does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _require_some_shop(request: HttpRequest) -> list[tuple[int, str]]:
    shops = selectors.shops_for_filter(request.user)
    if not shops:
        raise PermissionDenied(_("You need the reviews right on a shop."))
    return shops


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    shops = _require_some_shop(request)
    form = ReviewFilter(request.GET or None, shops=shops)
    filters = form.cleaned_data if form.is_valid() else {}
    reviews = selectors.portal_reviews(
        request.user,
        shop_id=filters.get("shop"),
        subject=filters.get("subject", ""),
        stars=filters.get("stars"),
        state=filters.get("state", ""),
        replied=filters.get("replied", ""),
        label=filters.get("label", ""),
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reviews/portal/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "negatives": selectors.negative_count(request.user),
        },
    )


@login_required
def negatives(request: HttpRequest) -> HttpResponse:
    _require_some_shop(request)
    rows = selectors.negative_queue(request.user)
    return render(
        request,
        "reviews/portal/negatives.html",
        {"rows": rows, "hours": settings.REVIEW_NEGATIVE_ANSWER_HOURS},
    )


def _detail_context(request: HttpRequest, review: Review, **forms: Any) -> dict[str, Any]:
    staff = is_moderator(request.user)
    shop_person = moderation.is_shop_person(request.user, review)
    reports = list(review.reports.order_by("-pk"))
    for report in reports:
        report.contest_url = (  # type: ignore[attr-defined]
            _url_or_none("moderation:contest", report.pk)
            if shop_person and moderation.may_contest(report, Reporter.SHOP)
            else None
        )
    allowed = shop_services.message_allowed_at(review)
    due = (
        selectors.answer_due(review.published_at)
        if review.published_at and review.stars <= 2 and not review.replied_at and review.is_visible
        else None
    )
    return {
        "review": review,
        "staff": staff,
        "history": selectors.review_history(review, staff=staff),
        "reply_versions": selectors.reply_versions(review),
        "reply_form": forms.get("reply_form")
        or ReplyForm(initial={"text": review.reply} if review.reply else None),
        "shop_person": shop_person,
        "may_reply": review.is_visible and shop_person,
        "message_form": forms.get("message_form") or MessageForm(),
        "may_message": bool(review.author_email) and review.erased_at is None and shop_person,
        "message_next": allowed,
        "messages_sent": review.shop_messages.count(),
        "messages_limit": shop_services.MESSAGES_PER_REVIEW,
        "reports": reports,
        "report_url": _url_or_none("moderation:report", review.pk)
        if shop_person
        and review.state in REPORTABLE_STATES
        and not any(r.state in OPEN_REPORT_STATES for r in reports)
        else None,
        "answer_due": due,
        "answer_overdue": due is not None and due < timezone.now(),
    }


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for(request.user, pk)
    return render(request, "reviews/portal/review.html", _detail_context(request, review))


@login_required
@require_POST
def review_reply(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for(request.user, pk)
    form = ReplyForm(request.POST)
    if not moderation.is_shop_person(request.user, review):
        # Staff read every shop's reviews; only the shop's own people answer for it.
        form.add_error(None, _("Only the shop's people answer its reviews."))
    elif form.is_valid():
        first = not review.replied_at
        try:
            services.reply(review=review, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Your answer is published.") if first else _("Your answer is updated.")
            )
            return redirect("review_portal:review", pk=review.pk)
    context = _detail_context(request, review, reply_form=form)
    return render(request, "reviews/portal/review.html", context, status=400)


@login_required
@require_POST
def review_message(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for(request.user, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            shop_services.message_author(
                review=review, actor=request.user, text=form.cleaned_data["text"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your message is on its way to the author."))
            return redirect("review_portal:review", pk=review.pk)
    context = _detail_context(request, review, message_form=form)
    return render(request, "reviews/portal/review.html", context, status=400)


def _shop_for(request: HttpRequest, public_id: str) -> Shop:
    shop = review_shops(request.user).select_related("member").filter(public_id=public_id).first()
    if shop is None:
        raise Http404("No such shop.")
    return shop


def _settings_initial(shop: Shop) -> dict[str, Any]:
    row = shop_services.current_settings(shop)
    return {name: getattr(row, name) for name in shop_services.EDITABLE_SETTINGS}


@login_required
def shop_settings(request: HttpRequest, public_id: str) -> HttpResponse:
    shop = _shop_for(request, public_id)
    if not shop_services.may_edit_settings(request.user, shop):
        raise Http404("No such shop.")  # moderators read reviews; settings are the member's
    row = shop_services.current_settings(shop)
    owner = is_owner(request.user, shop.member)
    form = SettingsForm(initial=_settings_initial(shop))
    mode_form = ModeForm(initial={"mode": _other_mode(row.mode)})
    status = 200
    if request.method == "POST" and request.POST.get("action") == "mode":
        mode_form = ModeForm(request.POST)
        if mode_form.is_valid():
            try:
                shop_services.switch_mode(
                    shop=shop, actor=request.user, mode=mode_form.cleaned_data["mode"]
                )
            except DomainError as exc:
                add_domain_error(mode_form, exc)
            else:
                messages.success(request, _("The criteria are changed; the profile starts afresh."))
                return redirect("review_portal:settings", public_id=shop.public_id)
        status = 400
    elif request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                shop_services.update_settings(shop=shop, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The review settings are saved."))
                return redirect("review_portal:settings", public_id=shop.public_id)
        status = 400
    return render(
        request,
        "reviews/portal/settings.html",
        {
            "shop": shop,
            "row": row,
            "form": form,
            "mode_form": mode_form,
            "may_switch": owner,
        },
        status=status,
    )


def _other_mode(mode: str) -> str:
    if mode == ReviewMode.THREE_CRITERIA:
        return ReviewMode.ONE_CRITERION
    return ReviewMode.THREE_CRITERIA


ALERT_SHOPS_LIMIT = 200


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    # Alerts go to the member's people only (reviews.notify), so staff choose none here.
    shops = list(
        review_shops(request.user)
        .filter(member__team__user=request.user)
        .select_related("member")
        .distinct()
        .order_by("domain")[:ALERT_SHOPS_LIMIT]
    )
    if not shops:
        raise PermissionDenied(_("You need the reviews right on a shop."))
    chosen = {
        pref.shop_id: pref.buckets
        for pref in AlertPreference.objects.filter(user=request.user, shop__in=shops)
    }
    data = request.POST if request.method == "POST" else None  # all boxes cleared: empty POST
    form = AlertsForm(data, shops=shops, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        for shop in shops:
            wanted = form.cleaned_data.get(f"shop_{shop.pk}", [])
            if sorted(wanted) != sorted(chosen.get(shop.pk, [])):
                shop_services.set_alerts(actor=request.user, shop=shop, buckets=wanted)
        messages.success(request, _("Your review alerts are saved."))
        return redirect("review_portal:alerts")
    return render(request, "reviews/portal/alerts.html", {"form": form})


@login_required
def shops(request: HttpRequest) -> HttpResponse:
    """The shops whose reviews the person works, each with a link to its settings."""
    shops_qs = review_shops(request.user).select_related("member").order_by("domain")
    if not user_has_role(request.user, Role.ADMINISTRATOR):
        shops_qs = shops_qs.filter(member__team__user=request.user).distinct()
    rows = list(shops_qs[:200])
    if not rows:
        raise PermissionDenied(_("You need the reviews right on a shop."))
    modes = {
        row.shop_id: row for row in ReviewSettings.objects.filter(shop__in=[s.pk for s in rows])
    }
    for shop in rows:
        shop.review_settings_row = modes.get(shop.pk)  # type: ignore[attr-defined]
    return render(request, "reviews/portal/shops.html", {"shops": rows})
