"""The portal inbox: every email sent to the signed-in person, to read in the portal too."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from notifications.selectors import get_message_for, inbox_of
from notifications.services import mark_all_read, mark_read

PAGE_SIZE = 25


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the inbox page the person came from (a local address only)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("inbox:list")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for(request.user, pk)
    return render(request, "notifications/message.html", {"message": message})


@login_required
@require_POST
def message_read(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for(request.user, pk)
    mark_read(message=message, reader=request.user)
    if request.headers.get("HX-Request") == "true":
        # htmx swaps just this message in place: the same markup, now read and opened.
        message.refresh_from_db()
        return render(
            request, "notifications/includes/inbox_item.html", {"message": message, "open": True}
        )
    return _back(request)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(reader=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d message marked as read.", "%(count)d messages marked as read.", count
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Nothing unread."))
    return _back(request)
