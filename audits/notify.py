"""Emails about an audit, in the shop's language, queued in the caller's transaction."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from audits.models import Audit
from certification.access import people_with_right
from certification.models import Area
from notifications.services import queue_email

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _language(audit: Audit) -> str:
    return audit.shop.language if audit.shop.language in SUPPORTED else "en"


def merchant_recipients(audit: Audit) -> list:
    """The member's people who hold the audits right on this shop."""
    return people_with_right(audit.shop, Area.AUDITS)


def _context(audit: Audit, event: str) -> dict:
    return {
        "event": event,
        "audit": audit.pk,
        "shop": audit.shop.name,
        "domain": audit.shop.display_domain,
        "due": audit.fix_due_at,
        "note": audit.decision_note,
        "mark": audit.mark.number if audit.mark_id else "",
        "url": settings.SITE_URL + reverse("audits:merchant_audit", args=[audit.pk]),
    }


def notify_merchant(audit: Audit, event: str) -> None:
    for person in merchant_recipients(audit):
        queue_email(
            to=person.email,
            recipient=person,
            template="audit_changed",
            language=_language(audit),
            context=_context(audit, event),
        )


def notify_auditor(audit: Audit, event: str) -> None:
    if audit.auditor is None:
        return
    context = _context(audit, event)
    context["url"] = settings.SITE_URL + reverse("audits:workspace", args=[audit.pk])
    queue_email(
        to=audit.auditor.email,
        recipient=audit.auditor,
        template="audit_changed",
        language=audit.auditor.language,
        context=context,
    )
