"""How much does our verification document cost over laying out its bare text?

    python bench/pdf.py [--runs 15] [--json]

Renders a full verification document (every criterion of the active
catalogue, a third of them not met with advice) through the real template,
and the same text in a bare HTML page with no stylesheet, each `--runs` times
(interleaved; CPU time of this process, so other load on the machine matters less)
with WeasyPrint; prints both medians, their ratio and pages per second.
Target: ratio <= 1.5. Rendering fetches nothing from the network: the
document's fetcher only allows data: and file: URLs, and this benchmark
counts any other fetch attempt.
"""

from __future__ import annotations

import argparse
import gc
import html
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Python puts a script's folder first on sys.path, where bench/http.py would hide the
# standard library's `http`: the project root takes the folder's place.
if Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TRUSTMARK_TESTING", "1")


def bare_text(finding, language: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The words the document prints for one finding, without any markup."""
    criterion = finding.criterion
    words = [criterion.code, criterion.text("title", language)]
    if finding.result != "met":
        words += [criterion.text("requirement", language), criterion.text("legal_basis", language)]
    return [*words, finding.advice]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import transaction
    from django.template.loader import render_to_string
    from django.utils import translation
    from pypdf import PdfReader
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from audits.document import document_context, document_language
    from audits.models import Audit, CriteriaSet, Finding, FindingResult
    from certification.models import Member, MembershipPlan, Shop
    from core.pdf_fetcher import static_only_fetcher

    remote_attempts: list[str] = []

    class CountingFetcher(URLFetcher):
        def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
            if not url.startswith(("data:", "file:")):
                remote_attempts.append(url)
            return super().fetch(url, headers)

    with transaction.atomic():
        member = Member.objects.create(
            legal_name="Benchmark GmbH",
            street="Hauptstraße 1",
            postal_code="10115",
            city="Berlin",
            country="DE",
            contact_email="bench@bench.example",
        )
        shop = Shop.objects.create(
            member=member,
            name="Benchmark Shop",
            domain="pdf-bench.example",
            language="de",
            target_market="DE",
            currency="EUR",
            plan=MembershipPlan.objects.get(code="basic"),
        )
        criteria_set = CriteriaSet.objects.get(status="active")
        audit = Audit.objects.create(shop=shop, criteria_set=criteria_set)
        criteria = list(criteria_set.criteria.all())
        Finding.objects.bulk_create(
            Finding(
                audit=audit,
                criterion=criterion,
                result=FindingResult.NOT_MET if index % 3 == 0 else FindingResult.MET,
                advice=criterion.text("merchant_advice", "de") if index % 3 == 0 else "",
            )
            for index, criterion in enumerate(criteria)
        )
        language = document_language(audit)
        with translation.override(language):
            context = document_context(audit, "findings", language)
            full_html = render_to_string("audits/document.html", context)
        bare_html = (
            "<html><body>"
            + "".join(
                "<p>" + html.escape(" ".join(bare_text(f, language))) + "</p>"
                for f in audit.findings.select_related("criterion")
            )
            + "</body></html>"
        )
        transaction.set_rollback(True)  # leave the database as it was

    def render(source: str, fetcher: URLFetcher) -> tuple[float, bytes]:
        gc.collect()  # a collection inside one run but not the other skews the pair
        gc.disable()
        try:
            start = time.process_time()
            pdf = HTML(string=source, base_url=str(ROOT), url_fetcher=fetcher).write_pdf()
            return time.process_time() - start, pdf
        finally:
            gc.enable()

    assert isinstance(static_only_fetcher(), URLFetcher)
    fetcher = CountingFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)
    render(full_html, fetcher)  # warm fonts and caches
    render(bare_html, fetcher)
    full_times, bare_times, pages = [], [], 0
    for _ in range(args.runs):
        elapsed, pdf = render(full_html, fetcher)
        full_times.append(elapsed)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        bare_times.append(render(bare_html, fetcher)[0])
    full, bare = statistics.median(full_times), statistics.median(bare_times)
    summary = {
        "benchmark": "pdf",
        "criteria": len(criteria),
        "not_met": sum(1 for i in range(len(criteria)) if i % 3 == 0),
        "runs": args.runs,
        "document_median_s": round(full, 3),
        "bare_text_median_s": round(bare, 3),
        "ratio": round(full / bare, 3),
        "pages": pages,
        "pages_per_second": round(pages / full, 1),
        "remote_fetches": len(remote_attempts),
        "target_ratio": 1.5,
        "met": full / bare <= 1.5 and not remote_attempts,
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(
        f"verification document: {summary['criteria']} criteria, {summary['not_met']} not met, "
        f"{pages} pages, median of {args.runs} runs"
    )
    print(f"  our document      {full:8.3f} s")
    print(f"  bare text         {bare:8.3f} s")
    print(f"  ratio             {full / bare:8.3f}   (target <= 1.5)")
    print(f"  pages per second  {pages / full:8.1f}")
    print(f"  remote fetches    {len(remote_attempts):8d}")
    print("target:", "met" if summary["met"] else "NOT met")


if __name__ == "__main__":
    main()
