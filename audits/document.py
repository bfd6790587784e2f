"""The verification document: the audit's result per criterion, as a PDF (WeasyPrint).

Rendered in the shop's language, with a QR code (segno) to the public
verification page. Rendering never touches the network: only data: URLs and
the project's static files are fetched (core.pdf_fetcher).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from audits.models import Audit, FindingResult
from core.pdf_fetcher import static_only_fetcher

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def document_language(audit: Audit) -> str:
    return audit.shop.language if audit.shop.language in SUPPORTED else "en"


def verification_target(audit: Audit) -> str:
    if audit.mark_id:
        return settings.SITE_URL + reverse("verify_mark", args=[audit.mark.number])
    return settings.SITE_URL + reverse("verify_lookup") + f"?domain={audit.shop.domain}"


def document_context(audit: Audit, kind: str, language: str) -> dict[str, Any]:
    findings = audit.findings.select_related("criterion__category").order_by(
        "criterion__category__order", "criterion__order"
    )
    groups: OrderedDict[str, list[Any]] = OrderedDict()
    counts = dict.fromkeys(FindingResult.values, 0)
    for finding in findings:
        groups.setdefault(finding.criterion.category.name_in(language), []).append(
            {
                "code": finding.criterion.code,
                "severity": finding.criterion.get_severity_display(),
                "severity_key": finding.criterion.severity,
                "title": finding.criterion.text("title", language),
                "requirement": finding.criterion.text("requirement", language),
                "legal_basis": finding.criterion.text("legal_basis", language),
                "result": finding.result,
                "result_label": finding.get_result_display(),
                "advice": finding.advice or finding.criterion.text("merchant_advice", language),
                "na_reason": finding.not_applicable_reason,
                "answer": finding.merchant_answer,
            }
        )
        counts[finding.result] += 1
    target = verification_target(audit)
    qr = segno.make(target, error="m").svg_data_uri(scale=3, border=1, dark="#1b2430")
    return {
        "audit": audit,
        "shop": audit.shop,
        "member": audit.shop.member,
        "kind": kind,
        "groups": groups,
        "counts": counts,
        "qr": qr,
        "verification_url": target,
        "mark": audit.mark,
        "issued_at": timezone.now(),
        "criteria_set": audit.criteria_set,
        "criteria_set_title": audit.criteria_set.title_in(language),
        "certifier": settings.CERTIFIER_NAME,
    }


def render_pdf(audit: Audit, kind: str) -> tuple[bytes, str]:
    """The PDF bytes and their language."""
    from weasyprint import HTML

    language = document_language(audit)
    with translation.override(language):
        html = render_to_string("audits/document.html", document_context(audit, kind, language))
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=static_only_fetcher())
    return pdf.write_pdf(), language
