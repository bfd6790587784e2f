"""How much does our verification document cost over laying out its bare text?

    python bench/pdf.py [--runs 15] [--memory-renders 500] [--memory-baseline 50] [--json]

Renders a full verification document (every criterion of the active
catalogue, a third of them not met with advice) through the real template,
and the same text in a bare HTML page with no stylesheet, each `--runs` times
(interleaved; CPU time of this process, so other load on the machine matters less)
with WeasyPrint; prints both medians, their ratio and pages per second.
Target: ratio <= 1.5. Rendering fetches nothing from the network: the
document's fetcher only allows data: and file: URLs, and this benchmark
counts any other fetch attempt.

Then the worker's memory: a process of its own renders the same document the way
the Celery task does (`audits.document.render_pdf` on the audit read afresh each
time) `--memory-renders` times (default 500) and reads its resident size
(VmRSS) after `--memory-baseline` renders (50) and at the end. Target: the
end within 1.5x of the baseline (else the worker needs
`worker_max_tasks_per_child`).
"""

from __future__ import annotations

import argparse
import gc
import html
import io
import json
import logging
import os
import statistics
import subprocess
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


def make_audit():  # type: ignore[no-untyped-def]
    """A shop's audit over the whole active catalogue, a third of the criteria not met with
    advice (inside the caller's transaction, which rolls it back)."""
    from audits.models import Audit, CriteriaSet, Finding, FindingResult
    from certification.models import Member, MembershipPlan, Shop

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
    return audit


def resident_mib() -> float:
    """This process's resident set size now (Linux: VmRSS in /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def memory_child(renders: int, baseline: int) -> None:
    """Render `renders` times as the Celery task does (the audit read afresh, then
    audits.document.render_pdf); print the resident size after `baseline` renders and at
    the end. Runs in a process of its own, so that nothing else this script did counts."""
    import django

    django.setup()
    from django.db import transaction

    from audits.document import render_pdf
    from audits.models import Audit

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per step
    sizes: dict[str, float] = {"start_mib": resident_mib()}
    with transaction.atomic():
        audit_id = make_audit().pk
        for done in range(1, renders + 1):
            audit = Audit.objects.select_related("shop__member", "criteria_set", "mark").get(
                pk=audit_id
            )
            render_pdf(audit, "findings")
            if done in (baseline, renders):
                gc.collect()  # both readings alike: what a collection cannot give back
                sizes["baseline_mib" if done == baseline else "end_mib"] = resident_mib()
        transaction.set_rollback(True)
    print(json.dumps(sizes))


def worker_memory(renders: int, baseline: int) -> dict[str, float]:
    """memory_child's figures, from a fresh Python process."""
    done = subprocess.run(
        [sys.executable, "-P", __file__, "--memory-child", str(renders), str(baseline)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--memory-renders", type=int, default=500)
    parser.add_argument("--memory-baseline", type=int, default=50)
    parser.add_argument("--memory-child", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    if args.memory_renders < args.memory_baseline:
        parser.error("--memory-renders must be at least --memory-baseline")

    import django

    django.setup()
    from django.db import transaction
    from django.template.loader import render_to_string
    from django.utils import translation
    from pypdf import PdfReader
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from audits.document import document_context, document_language
    from core.pdf_fetcher import static_only_fetcher

    remote_attempts: list[str] = []

    class CountingFetcher(URLFetcher):
        def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
            if not url.startswith(("data:", "file:")):
                remote_attempts.append(url)
            return super().fetch(url, headers)

    with transaction.atomic():
        audit = make_audit()
        criteria = list(audit.criteria_set.criteria.all())
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
    memory = worker_memory(args.memory_renders, args.memory_baseline)
    growth = memory["end_mib"] / memory["baseline_mib"]
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
        "memory_renders": args.memory_renders,
        "memory_baseline_renders": args.memory_baseline,
        "rss_start_mib": round(memory["start_mib"], 1),
        "rss_baseline_mib": round(memory["baseline_mib"], 1),
        "rss_end_mib": round(memory["end_mib"], 1),
        "rss_growth": round(growth, 3),
        "target_rss_growth": 1.5,
        "met": full / bare <= 1.5 and not remote_attempts and growth <= 1.5,
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
    print(
        f"worker memory: resident {memory['baseline_mib']:.1f} MiB after "
        f"{args.memory_baseline} renders, {memory['end_mib']:.1f} MiB after "
        f"{args.memory_renders}: {growth:.3f}x   (target <= 1.5)"
    )
    print("target:", "met" if summary["met"] else "NOT met")


if __name__ == "__main__":
    main()
