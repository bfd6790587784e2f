"""SQL time and statement count of the work queues and lists, first page and a deep page.

    python bench/queues.py [--database trustmark_bench] [--json]

Runs on the database bench/seed.py filled (`--database`, the same default). Each
list is requested the way its users get it: the view through Django's test
client, signed in as a seeded mediator, auditor, member owner or buyer (staff with
a confirmed second factor), with the filters its page offers. Every statement the
request runs is captured (`connection.execute_wrapper`) and then run again under
`EXPLAIN (ANALYZE, FORMAT JSON)` in a transaction that is rolled back: the SQL time
of a page is the sum of PostgreSQL's "Execution Time" of its statements (planning
excluded), the median of three requests after one to warm up. The deep page is
the one starting at row 10,000 (or the last page of a shorter list), reached as a
user would reach it: by its page number, or by the cursor of the "next" link of
the page before it. For the CSV export, "first" is a member with a few dozen
guarantees and "deep" the member with the most; for the verification lookup,
"first" finds a live mark and "deep" is a domain nobody holds.

Target: < 50 ms of SQL per page at 1M guarantees (the exports read every row and are
shown for the statement count: the same at 10 rows and at 10,000), the same statement
count on the first and the deep page, the deep page as fast as the first.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
# Python puts a script's folder first on sys.path, where bench/http.py would hide the
# standard library's `http`: the project root takes the folder's place.
if Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)
sys.path.insert(0, str(ROOT))

DEEP_ROW = 10_000
RUNS = 3
TARGET_MS = 50.0
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET ")


@dataclass
class Statement:
    sql: str
    params: Any


@dataclass(frozen=True)
class Queue:
    """One list: who reads it, its URL, and how its deep URL is found."""

    name: str
    user: Callable[[], Any]  # the person signed in (None: anonymous)
    path: str
    deep: Callable[[Any, str], str]  # (client, first url) -> deep url
    per_page_target: bool = True  # whether the 50 ms target applies (not to full exports)


def capture(client: Any, url: str) -> list[Statement]:
    """The statements one GET of `url` runs (a streamed body is read to its end)."""
    from django.db import connection

    statements: list[Statement] = []

    def wrapper(execute, sql, params, many, context):  # Django's execute_wrapper hook
        statements.append(Statement(sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        response = client.get(url)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
    if response.status_code not in (200, 302, 404):  # 404: the lookup of an unknown domain
        raise SystemExit(f"{url} answered {response.status_code}")
    return statements


def sql_ms(statements: list[Statement], verbose: bool = False) -> float:
    """PostgreSQL's own execution time of each statement, summed; nothing is kept."""
    from django.db import connection, transaction

    total = 0.0
    with transaction.atomic():
        for statement in statements:
            if statement.sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + statement.sql, statement.params
                )
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            total += plan[0]["Execution Time"]
            if verbose:
                print(f"  {plan[0]['Execution Time']:9.2f} ms  {statement.sql[:160]}")
        transaction.set_rollback(True)  # EXPLAIN ANALYZE ran the writes (session, last seen)
    return total


def measure(client: Any, url: str, verbose: bool = False) -> tuple[float, int]:
    """Median SQL ms over RUNS requests after a warm-up, and the statement count."""
    capture(client, url)
    times, counts = [], set()
    for run in range(RUNS):
        statements = capture(client, url)
        counts.add(len(statements))
        if verbose and run == 0:
            print(url)
        times.append(sql_ms(statements, verbose=verbose and run == 0))
    return round(statistics.median(times), 2), max(counts)


def deep_url(client: Any, url: str) -> str:
    """The page starting at row DEEP_ROW (or the last page): by number or by cursor."""
    response = client.get(url)
    if "page" not in response.context:  # one page only: the list is cut, not paged
        return url
    page = response.context["page"]
    separator = "&" if "?" in url else "?"
    if hasattr(page, "paginator"):  # numbered pages (OFFSET)
        per_page = page.paginator.per_page
        number = min(page.paginator.num_pages, (DEEP_ROW - 1) // per_page + 1)
        return f"{url}{separator}page={number}"
    # Keyset: the cursor the "next" link of the page before would carry.
    last_start = max(page.queryset.count() - page.keyset.per_page, 0)
    cursor = page.cursor_at(min(DEEP_ROW - 1, last_start))
    return f"{url}{separator}cursor={quote(cursor)}" if cursor else url


def signed_in(user: Any) -> Any:
    """A test client signed in as `user`; staff also with a confirmed second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.second_factor import ensure_totp, needs_second_factor

    client = Client()
    if user is None:
        return client
    client.force_login(user)
    if needs_second_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = ensure_totp(user=user).persistent_id
        session.save()
    return client


def seeded(email: str) -> Callable[[], Any]:
    def find() -> Any:
        from accounts.models import User

        return User.objects.get(email=email)

    return find


def owner_by_size(largest: bool) -> Callable[[], Any]:
    """The owner of the seeded member with the most guarantees, or one with a few dozen."""

    def find() -> Any:
        from django.db.models import Count

        from accounts.models import User
        from certification.models import Member

        members = Member.objects.filter(contact_email__endswith="@seed.example").annotate(
            n=Count("shops__guarantees")
        )
        if largest:
            member = members.order_by("-n", "pk").first()
        else:
            member = members.filter(n__gte=20).order_by("n", "pk").first()
        return User.objects.get(team_memberships__member=member, team_memberships__role="owner")

    return find


def busiest_buyer() -> Any:
    from django.db.models import Count

    from accounts.models import User

    return (
        User.objects.filter(email__startswith="buyer-", email__endswith="@seed.example")
        .annotate(n=Count("guarantees"))
        .order_by("-n", "pk")
        .first()
    )


def same(_client: Any, url: str) -> str:
    return url


UNKNOWN_DOMAIN = "/verify/?domain=nobody-holds-this.example"


def last_domain(_client: Any, _url: str) -> str:
    from certification.models import Shop

    shop = Shop.objects.filter(domain__startswith="seed-").order_by("-pk").first()
    return f"/verify/?domain={shop.domain}"


QUEUES = [
    Queue("claim_queue", seeded("mediator-0@seed.example"), "/portal/cases/queue/", deep_url),
    Queue(
        "claim_queue_state",
        seeded("mediator-0@seed.example"),
        "/portal/cases/queue/?state=awaiting_shop",
        deep_url,
    ),
    Queue(
        "claim_queue_overdue",
        seeded("mediator-0@seed.example"),
        "/portal/cases/queue/?overdue=1",
        deep_url,
    ),
    Queue(
        "claim_queue_mine",
        seeded("mediator-0@seed.example"),
        "/portal/cases/queue/?mine=1",
        deep_url,
    ),
    Queue("audit_queue", seeded("auditor-0@seed.example"), "/portal/audits/queue/", deep_url),
    Queue("member_guarantees", owner_by_size(True), "/portal/guarantees/", deep_url),
    Queue(
        "member_guarantees_csv",
        owner_by_size(False),
        "/portal/guarantees/?export=csv",
        same,
        per_page_target=False,
    ),
    Queue("verify_lookup", lambda: None, "/verify/?domain=seed-1.example", last_domain),
    Queue("verify_lookup_miss", lambda: None, UNKNOWN_DOMAIN, same),
    Queue("buyer_guarantees", busiest_buyer, "/protection/mine/", deep_url),
]


def run_queue(queue: Queue, verbose: bool = False) -> dict[str, Any]:
    client = signed_in(queue.user())
    ms_first, n_first = measure(client, queue.path, verbose)
    if queue.name == "member_guarantees_csv":  # deep: the biggest member's whole export
        client = signed_in(owner_by_size(True)())
        deep = queue.path
    else:
        deep = queue.deep(client, queue.path)
    ms_deep, n_deep = measure(client, deep, verbose)
    return {
        "sql_ms_first": ms_first,
        "sql_ms_deep": ms_deep,
        "statements_first": n_first,
        "statements_deep": n_deep,
        # False for a whole export: the 50 ms per page target is not its own.
        "paged": queue.per_page_target,
    }


def main() -> None:
    from bench.scale import add_database_option, setup

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", action="append", help="measure only this queue (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="print each statement's time")
    add_database_option(parser)
    options = parser.parse_args()
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic needed
    setup(options.database)
    from django.test.utils import setup_test_environment

    from guarantees.models import Guarantee

    setup_test_environment()  # responses carry their template context (the page object)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the lookup's expected 404
    logging.getLogger("axes").setLevel(logging.WARNING)

    results = {
        queue.name: run_queue(queue, options.verbose)
        for queue in QUEUES
        if not options.only or queue.name in options.only
    }
    report = {"guarantees": Guarantee.objects.count(), "queues": results}
    if options.json:
        print(json.dumps(report))
        return
    print(f"{report['guarantees']} guarantees; target < {TARGET_MS:.0f} ms of SQL per page,")
    print("the same statements and about the same time on the first and the deep page")
    print(f"{'queue':<24}{'first ms':>10}{'deep ms':>10}{'stmts':>8}{'deep':>6}  verdict")
    for queue in QUEUES:
        if queue.name not in results:
            continue
        r = results[queue.name]
        worst = max(r["sql_ms_first"], r["sql_ms_deep"])
        ok = r["statements_first"] == r["statements_deep"]
        ok = ok and (not queue.per_page_target or worst < TARGET_MS)
        print(
            f"{queue.name:<24}{r['sql_ms_first']:>10}{r['sql_ms_deep']:>10}"
            f"{r['statements_first']:>8}{r['statements_deep']:>6}  {'ok' if ok else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
