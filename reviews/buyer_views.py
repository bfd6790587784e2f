"""The buyer's pages: the invitation's form, then each item; the open link; the author's page.

The invitation link is the buyer's capability for that order; the author's
page is reached by a signed link sent after submission. A second submission
from another tab gets the same clear message as a double click.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from certification.models import Shop
from core.errors import Conflict, DomainError
from core.forms import add_domain_error
from core.ratelimit import client_ip, limit_posts
from guarantees.links import page_path
from guarantees.models import GuaranteeState
from reviews.access import author_token, review_from_author_token
from reviews.buyer_forms import ProductReviewForm, ShopReviewForm, WithdrawForm
from reviews.checks import fingerprint_of
from reviews.models import (
    OPEN_REPORT_STATES,
    Invitation,
    InvitationLine,
    Review,
    ReviewState,
    Subject,
)
from reviews.services import (
    Order,
    edit_review,
    record_click,
    settings_of,
    submit_product_review,
    submit_shop_review,
    withdraw_review,
)


def _fingerprint(request: HttpRequest) -> str:
    return fingerprint_of(client_ip(request), request.META.get("HTTP_USER_AGENT", ""))


def _invitation(token: str) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("shop", "guarantee").filter(erased_at=None), token=token
    )


def _shop_review_of(invitation: Invitation) -> Review | None:
    return Review.objects.filter(
        invitation=invitation, subject=Subject.SHOP, archived_at=None
    ).first()


def _lines_left(invitation: Invitation) -> list[InvitationLine]:
    reviewed = Review.objects.filter(invitation_line=OuterRef("pk"), archived_at=None)
    return list(
        invitation.lines.select_related("product")
        .annotate(done=Exists(reviewed))
        .filter(done=False)
        .order_by("pk")
    )


def _skipped(request: HttpRequest, invitation: Invitation) -> set[int]:
    return set(request.session.get(f"review-skip-{invitation.pk}", []))


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Rate the shop on its criteria; the order's items follow."""
    inv = _invitation(token)
    existing = _shop_review_of(inv)
    if existing is not None:
        if _lines_left(inv):
            return redirect("review_buyer:products", token=token)
        return render(
            request, "reviews/buyer/already.html", {"invitation": inv, "review": existing}
        )
    if request.method == "GET" and inv.is_usable:
        record_click(invitation=inv)
    shop_settings = settings_of(inv.shop_id)
    if not (inv.is_usable and shop_settings.enabled):
        return render(request, "reviews/buyer/closed.html", {"invitation": inv}, status=410)
    form = ShopReviewForm(request.POST or None, mode=shop_settings.mode, initial={"name": inv.name})
    if request.method == "POST" and form.is_valid():
        try:
            review = submit_shop_review(
                order=Order.of_invitation(inv),
                ratings=form.ratings(),
                comment=form.cleaned_data["comment"],
                experienced_on=form.cleaned_data["experienced_on"],
                name=form.cleaned_data["name"],
                language=request.LANGUAGE_CODE,
                fingerprint=_fingerprint(request),
            )
        except Conflict as exc:
            if _shop_review_of(inv) is not None:  # another tab was first
                return redirect("review_buyer:invitation", token=token)
            add_domain_error(form, exc)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if _lines_left(inv):
                return redirect("review_buyer:products", token=token)
            return redirect("review_buyer:mine", token=author_token(review.pk))
    return render(
        request,
        "reviews/buyer/shop_form.html",
        {"invitation": inv, "shop": inv.shop, "form": form},
        status=400 if form.errors else 200,
    )


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def products(request: HttpRequest, token: str) -> HttpResponse:
    """One item of the order at a time: review it or skip it."""
    inv = _invitation(token)
    shop_review = _shop_review_of(inv)
    if shop_review is None:
        return redirect("review_buyer:invitation", token=token)
    skipped = _skipped(request, inv)
    left = [line for line in _lines_left(inv) if line.pk not in skipped]
    if not left:
        return redirect("review_buyer:mine", token=author_token(shop_review.pk))
    line = left[0]
    if request.method == "POST" and request.POST.get("skip") == str(line.pk):
        request.session[f"review-skip-{inv.pk}"] = sorted(skipped | {line.pk})
        return redirect("review_buyer:products", token=token)
    form = ProductReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_product_review(
                order=Order.of_invitation(inv),
                product=line.product,
                line=line,
                stars=form.cleaned_data["stars"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
                language=request.LANGUAGE_CODE,
                fingerprint=_fingerprint(request),
            )
        except Conflict as exc:
            if not Review.objects.filter(invitation_line=line, archived_at=None).exists():
                add_domain_error(form, exc)
            else:
                return redirect("review_buyer:products", token=token)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("review_buyer:products", token=token)
    return render(
        request,
        "reviews/buyer/product_form.html",
        {
            "invitation": inv,
            "shop": inv.shop,
            "line": line,
            "position": inv.lines.count() - len(left) + 1,
            "total": inv.lines.count(),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, public_id: str) -> HttpResponse:
    """A review without an order, only where the shop allows it; labelled not verified."""
    shop = get_object_or_404(Shop.objects.live(), public_id=public_id)
    shop_settings = settings_of(shop.pk)
    if not (shop_settings.enabled and shop_settings.allow_open_link):
        return render(request, "reviews/buyer/no_open_link.html", {"shop": shop}, status=404)
    form = ShopReviewForm(request.POST or None, mode=shop_settings.mode, ask_email=True)
    if request.method == "POST" and form.is_valid():
        try:
            review = submit_shop_review(
                order=Order(
                    shop_id=shop.pk,
                    order_date=timezone.localdate(),
                    language=request.LANGUAGE_CODE,
                ),
                ratings=form.ratings(),
                comment=form.cleaned_data["comment"],
                experienced_on=form.cleaned_data["experienced_on"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                language=request.LANGUAGE_CODE,
                fingerprint=_fingerprint(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("review_buyer:mine", token=author_token(review.pk))
    return render(
        request,
        "reviews/buyer/shop_form.html",
        {"shop": shop, "form": form, "open_link": True},
        status=400 if form.errors else 200,
    )


def _optional_url(name: str, token: str) -> str:
    """A link to a page another part of the app provides, if it is there."""
    try:
        return reverse(name, args=[token])
    except NoReverseMatch:
        return ""


def _claim_offer(review: Review) -> str:
    """The guarantee page, when a low rating on a covered order may be a case for a claim."""
    guarantee = review.guarantee
    if (
        guarantee is not None
        and review.stars <= 2
        and guarantee.state == GuaranteeState.ACTIVE
        and timezone.localdate() <= guarantee.cover_until
    ):
        return page_path(guarantee.number)
    return ""


def _edit_form(review: Review, data: Any, files: Any) -> ShopReviewForm | ProductReviewForm:
    if review.subject == Subject.PRODUCT:
        form: Any = ProductReviewForm(
            data,
            files,
            initial={"stars": review.stars, "title": review.title, "text": review.comment},
        )
        del form.fields["photos"]
        return form
    initial: dict[str, Any] = {"comment": review.comment, **review.ratings}
    form = ShopReviewForm(data, mode=review.mode, initial=initial)
    for name in ("experienced_on", "name"):
        del form.fields[name]
    return form


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest, token: str) -> HttpResponse:
    """The author's page: their review as shown, what happened to it, edit, withdraw."""
    review = review_from_author_token(token)
    editable = (
        review.state in (ReviewState.PUBLISHED, ReviewState.HELD)
        and timezone.localdate() <= review.editable_until
    )
    form = _edit_form(review, None, None) if editable else None
    withdraw_form = WithdrawForm()
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                withdraw_form = WithdrawForm(request.POST)
                if withdraw_form.is_valid():
                    withdraw_review(review=review)
                    return redirect("review_buyer:mine", token=token)
            elif editable:
                form = _edit_form(review, request.POST, None)
                if form.is_valid():
                    data = form.cleaned_data
                    if review.subject == Subject.PRODUCT:
                        edit_review(
                            review=review,
                            stars=data["stars"],
                            title=data["title"],
                            comment=data["text"],
                        )
                    else:
                        edit_review(review=review, ratings=form.ratings(), comment=data["comment"])
                    return redirect("review_buyer:mine", token=token)
        except DomainError as exc:
            if form is not None and not isinstance(exc, Conflict):
                add_domain_error(form, exc)
            else:
                error = exc.message
    open_report = review.reports.filter(state__in=OPEN_REPORT_STATES).first()
    last_report = review.reports.order_by("-created_at").first()
    return render(
        request,
        "reviews/buyer/mine.html",
        {
            "review": review,
            "token": token,
            "form": form,
            "withdraw_form": withdraw_form,
            "error": error,
            "open_report": open_report,
            "last_report": last_report,
            "respond_url": _optional_url("review_checks:respond", token),
            "contest_url": _optional_url("review_checks:contest", token),
            "claim_url": _claim_offer(review),
            "can_withdraw": review.state
            not in (ReviewState.WITHDRAWN, ReviewState.REJECTED, ReviewState.REMOVED),
        },
        status=400 if (form is not None and form.errors) or error else 200,
    )
