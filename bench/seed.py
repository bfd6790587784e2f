"""Fill the benchmark database for scale tests, fast.

    python bench/seed.py [--guarantees 1000000] [--json]

Writes into `trustmark_bench` (derived from DATABASE_URL, see bench/common.py,
migrated first): 20,000 members, 30,000 shops with an active mark, N guarantees
spread over two years, 10% of them with a claim (every claim state, a fair
share each), two messages per claim, 200 audits, a few mediators, auditors and
buyers. Rows go in through PostgreSQL COPY (psycopg's `cursor.copy`), one
statement per table, never the ORM row by row. The schema is left whole: the
pghistory insert triggers stay on and write the history events of the seeded
rows inside the database, in the same COPY, without any Python per row.
Seeding twice adds nothing: a database that already holds the seed is left as
it is. Prints rows per second for each table and overall.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Python puts a script's folder first on sys.path, where bench/http.py would hide the
# standard library's `http`: the project root takes the folder's place.
if Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)
sys.path.insert(0, str(ROOT))

MEMBERS = 20_000
SHOPS = 30_000
AUDITS = 200
MEDIATORS = 20
AUDITORS = 10
BUYERS = 5_000
CLAIM_STATES = [
    "filed",
    "awaiting_shop",
    "shop_answered",
    "in_mediation",
    "awaiting_information",
    "resolved",
    "withdrawn",
    "decided_for_buyer",
    "decided_for_shop",
    "closed",
]
ENDED = {"resolved", "withdrawn", "decided_for_buyer", "decided_for_shop", "closed"}
MEDIATED = {"in_mediation", "awaiting_information", "decided_for_buyer", "decided_for_shop"}
SEED_MARKER = "seed-0.example"


def setup() -> None:
    """Point Django at the benchmark database and migrate it."""
    from bench.common import bench_env, prepare

    env = bench_env()
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ.setdefault("TRUSTMARK_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    prepare({**os.environ, "TRUSTMARK_TESTING": "1"})
    import django

    django.setup()


def copy(table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY `rows` into `table`; how many went in."""
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(statement) as pipe:
            for row in rows:
                pipe.write_row(row)
                count += 1
    return count


def ids(table: str, where: str, params: list) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {where} ORDER BY id", params)
        return [row[0] for row in cursor.fetchall()]


class Seeder:
    """Generates one table after the other, keeping the ids the next one refers to."""

    def __init__(self, guarantees: int) -> None:
        self.guarantees = guarantees
        self.rng = random.Random(12)
        self.now = datetime.now(UTC)
        self.today = self.now.date()
        self.timings: dict[str, dict[str, float]] = {}

    def timed(self, name: str, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
        start = time.perf_counter()
        count = copy(table, columns, rows)
        seconds = time.perf_counter() - start
        self.timings[name] = {
            "rows": count,
            "seconds": round(seconds, 2),
            "rows_per_s": round(count / seconds) if seconds else 0,
        }

    def users(self) -> None:
        columns = ["password", "is_superuser", "email", "full_name", "language", "is_active"]
        columns += ["is_staff", "date_joined"]

        def rows() -> Iterator[tuple]:
            for kind, count, staff in (
                ("mediator", MEDIATORS, True),
                ("auditor", AUDITORS, True),
                ("buyer", BUYERS, False),
            ):
                for i in range(count):
                    email = f"{kind}-{i}@seed.example"
                    yield ("!", False, email, f"Seed {kind} {i}", "de", True, staff, self.now)

        self.timed("users", "accounts_user", columns, rows())
        self.mediators = ids("accounts_user", "email LIKE %s", ["mediator-%@seed.example"])
        self.auditors = ids("accounts_user", "email LIKE %s", ["auditor-%@seed.example"])
        self.buyers = ids("accounts_user", "email LIKE %s", ["buyer-%@seed.example"])

    def members(self) -> None:
        columns = ["legal_name", "registration_number", "vat_id", "street", "postal_code"]
        columns += ["city", "country", "contact_email", "created_at", "updated_at"]
        rows = (
            (f"Seed {i} GmbH", "", "", "Seestr. 1", "10115", "Berlin", "DE",
             f"member-{i}@seed.example", self.now, self.now)
            for i in range(MEMBERS)
        )  # fmt: skip
        self.timed("members", "certification_member", columns, rows)
        self.member_ids = ids("certification_member", "contact_email LIKE %s", ["%@seed.example"])

    def shops(self) -> None:
        from certification.models import MembershipPlan, new_public_id

        plan = MembershipPlan.objects.get(code="basic").pk
        columns = ["member_id", "name", "domain", "language", "target_market", "currency"]
        columns += ["sells", "plan_id", "public_id", "created_at", "updated_at"]
        members = self.member_ids
        rows = (
            (members[i % len(members)], f"Seed shop {i}", f"seed-{i}.example", "de", "DE",
             "EUR", "goods", plan, new_public_id(), self.now, self.now)
            for i in range(SHOPS)
        )  # fmt: skip
        self.timed("shops", "certification_shop", columns, rows)
        self.shop_ids = ids("certification_shop", "domain LIKE %s", ["seed-%.example"])
        columns = ["shop_id", "number", "state", "issued_at", "valid_from", "valid_until"]
        columns += ["suspension_reason", "status_note", "updated_at"]
        until = self.today + timedelta(days=365)
        rows = (
            (shop, f"TMS-{i:07d}", "active", self.now, self.today, until, "", "", self.now)
            for i, shop in enumerate(self.shop_ids)
        )
        self.timed("marks", "certification_trustmark", columns, rows)

    def guarantee_rows(self) -> Iterator[tuple]:
        rng, shops, buyers = self.rng, self.shop_ids, self.buyers
        span = 730 * 86400
        start = self.now - timedelta(days=730)
        self.claimed: list[tuple[int, int, datetime, date, str]] = []
        for i in range(self.guarantees):
            created = start + timedelta(seconds=span * i // self.guarantees)
            purchase = created.date()
            amount = Decimal(rng.randrange(1000, 200000)) / 100
            cover = min(amount, Decimal(2500))
            until = purchase + timedelta(days=30)
            shop = shops[rng.randrange(len(shops))]
            buyer = buyers[i % len(buyers)] if i % 4 == 0 else None
            state = "active" if until >= self.today else "expired"
            if i % 10 == 5:
                claim_state = CLAIM_STATES[(i // 10) % len(CLAIM_STATES)]
                state = "closed" if claim_state in ENDED else "claimed"
                self.claimed.append((i, shop, created, until, claim_state))
            yield (
                shop, buyer, f"buyer-{i % 50000}@mail.example", f"Buyer {i}", "de",
                f"ORD-{i}", amount, "EUR", purchase, "basic", Decimal(2500), cover, until,
                "checkout", state, created, created,
            )  # fmt: skip

    def guarantees_table(self) -> None:
        columns = ["shop_id", "buyer_id", "buyer_email", "buyer_name", "language"]
        columns += ["order_reference", "amount", "currency", "purchase_date", "plan"]
        columns += ["cap_amount", "cover_amount", "cover_until", "channel", "state"]
        columns += ["created_at", "updated_at"]
        first = self.max_id("guarantees_guarantee")
        self.timed("guarantees", "guarantees_guarantee", columns, self.guarantee_rows())
        self.guarantee_ids = ids("guarantees_guarantee", "id > %s", [first])

    def max_id(self, table: str) -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            return cursor.fetchone()[0]

    def claims(self) -> None:
        columns = ["number", "guarantee_id", "shop_id", "reason", "amount", "currency"]
        columns += ["description", "language", "state", "cover_until_before", "opened_at"]
        columns += ["shop_due_at", "answer", "answer_text", "carrier", "tracking_number"]
        columns += ["answered_at", "mediator_id", "info_from", "info_question", "info_due_at"]
        columns += ["decision_reason", "outcome_note", "ended_at", "updated_at"]
        columns += ["decision_amount", "decided_at"]
        reasons = ["not_delivered", "refund_missing", "not_as_described", "other"]
        mediators, gids = self.mediators, self.guarantee_ids

        def rows() -> Iterator[tuple]:
            for n, (i, shop, created, until, state) in enumerate(self.claimed):
                opened = created + timedelta(days=5)
                answered = state not in {"filed", "awaiting_shop"}
                mediator = mediators[n % len(mediators)] if state in MEDIATED else None
                info = state == "awaiting_information"
                yield (
                    f"CS-{n:08d}", gids[i], shop, reasons[n % 4], Decimal("49.90"), "EUR",
                    "The parcel never arrived.", "de", state, until, opened,
                    opened + timedelta(days=7), "disputed" if answered else "",
                    "Sent on time." if answered else "", "", "",
                    opened + timedelta(days=2) if answered else None, mediator,
                    "buyer" if info else "", "The receipt?" if info else "",
                    opened + timedelta(days=14) if info else None, "", "",
                    opened + timedelta(days=20) if state in ENDED else None, opened,
                    Decimal("49.90") if state == "decided_for_buyer" else None,
                    opened + timedelta(days=20) if state.startswith("decided") else None,
                )  # fmt: skip

        first = self.max_id("disputes_claim")
        self.timed("claims", "disputes_claim", columns, rows())
        claim_ids = ids("disputes_claim", "id > %s", [first])
        opened = [row[2] + timedelta(days=5) for row in self.claimed]

        def messages() -> Iterator[tuple]:
            for claim, at in zip(claim_ids, opened, strict=True):
                yield claim, None, "buyer", "Where is my parcel?", False, at
                yield claim, None, "shop", "It was sent on time.", False, at + timedelta(days=2)

        columns = ["claim_id", "author_id", "party", "body", "internal", "created_at"]
        self.timed("messages", "disputes_message", columns, messages())

    def audits(self) -> None:
        from audits.models import CriteriaSet

        criteria = CriteriaSet.objects.order_by("-pk").values_list("pk", flat=True).first()
        states = ["requested", "assigned", "in_review", "findings_sent", "resubmitted"]
        columns = ["shop_id", "criteria_set_id", "kind", "state", "auditor_id", "requested_at"]
        columns += ["decision_note", "round", "updated_at"]
        rows = (
            (self.shop_ids[i * 7], criteria, "renewal", states[i % len(states)],
             self.auditors[i % len(self.auditors)] if i % len(states) else None,
             self.now - timedelta(days=i), "", 1, self.now)
            for i in range(AUDITS)
        )  # fmt: skip
        self.timed("audits", "audits_audit", columns, rows)

    def run(self) -> None:
        from django.db import transaction

        with transaction.atomic():
            self.users()
            self.members()
            self.shops()
            self.guarantees_table()
            self.claims()
            self.audits()


def already_seeded() -> int | None:
    """The number of guarantees of the seed's shops if the seed is there."""
    from certification.models import Shop
    from guarantees.models import Guarantee

    if not Shop.objects.filter(domain=SEED_MARKER).exists():
        return None
    return Guarantee.objects.filter(shop__domain__startswith="seed-").count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guarantees", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    setup()
    present = already_seeded()
    if present is not None:
        result = {"guarantees": present, "skipped": True, "tables": {}}
    else:
        seeder = Seeder(options.guarantees)
        start = time.perf_counter()
        seeder.run()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds = time.perf_counter() - start
        rows = sum(t["rows"] for t in seeder.timings.values())
        result = {
            "guarantees": options.guarantees,
            "skipped": False,
            "seconds": round(seconds, 1),
            "rows": rows,
            "rows_per_s": round(rows / seconds),
            "tables": seeder.timings,
        }
    if options.json:
        print(json.dumps(result))
        return
    if result["skipped"]:
        print(f"already seeded: {present} guarantees in the seed's shops; nothing written")
        return
    print(f"{'table':<12}{'rows':>10}{'seconds':>10}{'rows/s':>10}")
    for name, t in result["tables"].items():
        print(f"{name:<12}{t['rows']:>10}{t['seconds']:>10}{t['rows_per_s']:>10}")
    print(f"{'total':<12}{rows:>10}{result['seconds']:>10}{result['rows_per_s']:>10}")


if __name__ == "__main__":
    main()
