"""Fill the benchmark database for scale tests, fast.

    python bench/seed.py [--guarantees 1000000] [--database trustmark_bench] [--json]

Writes into the database named by --database (on DATABASE_URL's server, created
and migrated first): 20,000 members each with an owner, 30,000 shops with an
active mark, N guarantees spread over two years (a few big shops, many small
ones: shop k gets a share falling like k^(-2/3)), 10% of them with a claim
(every claim state, a fair share each), two messages per claim, 200 audits,
mediators and auditors in their groups, buyers with accounts.

Rows go in through PostgreSQL COPY (psycopg's `cursor.copy`), one statement
per table, inside one transaction with `session_replication_role = replica`:
every trigger is off while loading. Per row, the pghistory insert triggers and
the history chain's trigger (which locks the shop's chain head and hashes each
event) cost about 2 ms, a million guarantees over half an hour; bench/seed_history.py
then writes the same events and chain links set-wise, one statement per table,
and `manage.py verify_history` passes on the result. Foreign keys are not
checked while the triggers are off: the ids come from the rows just written.
Seeding twice adds nothing: a database that already holds the seed is left as
it is. Prints rows per second for each step and overall.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
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
# Shop k (0-based) of the guarantees' shops is drawn as floor(SHOPS * u**SKEW): the
# first shop holds about 3% of all guarantees, the median shop a handful.
SKEW = 3
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


def execute(sql: str) -> int:
    """Run one statement; the rows it wrote."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


class Seeder:
    """Generates one table after the other, keeping the ids the next one refers to."""

    def __init__(
        self,
        guarantees: int,
        *,
        members: int = MEMBERS,
        shops: int = SHOPS,
        buyers: int = BUYERS,
        audits: int = AUDITS,
    ) -> None:
        """The sizes other than `guarantees` are the issue's; tests seed a small world."""
        self.guarantees = guarantees
        self.sizes = {"members": members, "shops": shops, "buyers": buyers, "audits": audits}
        self.rng = random.Random(12)
        self.now = datetime.now(UTC)
        self.today = self.now.date()
        self.timings: dict[str, dict[str, float]] = {}
        # The models loaded, in order, with the largest id before the load: their history.
        self.loaded: list[tuple[type, int]] = []

    def step(self, name: str, work: Callable[[], int]) -> None:
        """Run one step and keep its row count and rate."""
        start = time.perf_counter()
        count = work()
        seconds = time.perf_counter() - start
        self.timings[name] = {
            "rows": count,
            "seconds": round(seconds, 2),
            "rows_per_s": round(count / seconds) if seconds else 0,
        }

    def timed(self, name: str, model: type, columns: list[str], rows: Iterable[tuple]) -> None:
        table = model._meta.db_table
        self.loaded.append((model, self.max_id(table)))
        self.step(name, lambda: copy(table, columns, rows))

    def max_id(self, table: str) -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            return cursor.fetchone()[0]

    def users(self) -> None:
        from django.contrib.auth.models import Group

        from accounts.models import User
        from accounts.roles import Role

        columns = ["password", "is_superuser", "email", "full_name", "language", "is_active"]
        columns += ["is_staff", "date_joined"]
        kinds = (
            ("mediator", MEDIATORS, True),
            ("auditor", AUDITORS, True),
            ("buyer", self.sizes["buyers"], False),
            ("owner", self.sizes["members"], False),
        )

        def rows() -> Iterator[tuple]:
            for kind, count, staff in kinds:
                for i in range(count):
                    email = f"{kind}-{i}@seed.example"
                    yield ("!", False, email, f"Seed {kind} {i}", "de", True, staff, self.now)

        self.timed("users", User, columns, rows())
        self.mediators = ids("accounts_user", "email LIKE %s", ["mediator-%@seed.example"])
        self.auditors = ids("accounts_user", "email LIKE %s", ["auditor-%@seed.example"])
        self.buyers = ids("accounts_user", "email LIKE %s", ["buyer-%@seed.example"])
        self.owners = ids("accounts_user", "email LIKE %s", ["owner-%@seed.example"])
        groups = dict(Group.objects.values_list("name", "pk"))
        staff = [(u, groups[Role.MEDIATOR]) for u in self.mediators]
        staff += [(u, groups[Role.AUDITOR]) for u in self.auditors]
        columns = ["user_id", "group_id"]
        self.step("staff groups", lambda: copy("accounts_user_groups", columns, staff))

    def members(self) -> None:
        from certification.models import Member, TeamMembership

        columns = ["legal_name", "registration_number", "vat_id", "street", "postal_code"]
        columns += ["city", "country", "contact_email", "created_at", "updated_at"]
        rows = (
            (f"Seed {i} GmbH", "", "", "Seestr. 1", "10115", "Berlin", "DE",
             f"member-{i}@seed.example", self.now, self.now)
            for i in range(self.sizes["members"])
        )  # fmt: skip
        self.timed("members", Member, columns, rows)
        self.member_ids = ids("certification_member", "contact_email LIKE %s", ["%@seed.example"])
        owners = (
            (member, owner, "owner", self.now)
            for member, owner in zip(self.member_ids, self.owners, strict=True)
        )
        columns = ["member_id", "user_id", "role", "created_at"]
        self.timed("owners", TeamMembership, columns, owners)

    def shops(self) -> None:
        from certification.models import MembershipPlan, Shop, TrustMark, new_public_id

        plan = MembershipPlan.objects.get(code="basic").pk
        columns = ["member_id", "name", "domain", "language", "target_market", "currency"]
        columns += ["sells", "plan_id", "public_id", "created_at", "updated_at"]
        members = self.member_ids
        rows = (
            (members[i % len(members)], f"Seed shop {i}", f"seed-{i}.example", "de", "DE",
             "EUR", "goods", plan, new_public_id(), self.now, self.now)
            for i in range(self.sizes["shops"])
        )  # fmt: skip
        self.timed("shops", Shop, columns, rows)
        self.shop_ids = ids("certification_shop", "domain LIKE %s", ["seed-%.example"])
        columns = ["shop_id", "number", "state", "issued_at", "valid_from", "valid_until"]
        columns += ["suspension_reason", "status_note", "updated_at"]
        until = self.today + timedelta(days=365)
        rows = (
            (shop, f"TMS-{i:07d}", "active", self.now, self.today, until, "", "", self.now)
            for i, shop in enumerate(self.shop_ids)
        )
        self.timed("marks", TrustMark, columns, rows)

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
            shop = shops[int(len(shops) * rng.random() ** SKEW)]
            # A quarter of the buyers registered with an account; half the claims are theirs.
            buyer = buyers[(i // 4) % len(buyers)] if i % 4 == 1 else None
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
        from guarantees.models import Guarantee

        columns = ["shop_id", "buyer_id", "buyer_email", "buyer_name", "language"]
        columns += ["order_reference", "amount", "currency", "purchase_date", "plan"]
        columns += ["cap_amount", "cover_amount", "cover_until", "channel", "state"]
        columns += ["created_at", "updated_at"]
        first = self.max_id("guarantees_guarantee")
        self.timed("guarantees", Guarantee, columns, self.guarantee_rows())
        self.guarantee_ids = ids("guarantees_guarantee", "id > %s", [first])

    def claims(self) -> None:
        from disputes.models import Claim, Message

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
                # n // states: every mediator gets cases in every mediated state.
                spread = (n // len(CLAIM_STATES)) % len(mediators)
                mediator = mediators[spread] if state in MEDIATED else None
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
        self.timed("claims", Claim, columns, rows())
        claim_ids = ids("disputes_claim", "id > %s", [first])
        opened = [row[2] + timedelta(days=5) for row in self.claimed]

        def messages() -> Iterator[tuple]:
            for claim, at in zip(claim_ids, opened, strict=True):
                yield claim, None, "buyer", "Where is my parcel?", False, at
                yield claim, None, "shop", "It was sent on time.", False, at + timedelta(days=2)

        columns = ["claim_id", "author_id", "party", "body", "internal", "created_at"]
        self.timed("messages", Message, columns, messages())

    def audits(self) -> None:
        from audits.models import Audit, CriteriaSet

        criteria = CriteriaSet.objects.order_by("-pk").values_list("pk", flat=True).first()
        states = ["requested", "assigned", "in_review", "findings_sent", "resubmitted"]
        columns = ["shop_id", "criteria_set_id", "kind", "state", "auditor_id", "requested_at"]
        columns += ["fix_due_at", "decision_note", "round", "updated_at"]

        def rows() -> Iterator[tuple]:
            for i in range(self.sizes["audits"]):
                state = states[i % len(states)]
                auditor = self.auditors[i % len(self.auditors)] if state != "requested" else None
                sent = state == "findings_sent"
                fix_due = self.now + timedelta(days=i % 30 - 10) if sent else None
                rounds = 1 if state in {"findings_sent", "resubmitted"} else 0
                shop = self.shop_ids[i * 7 % len(self.shop_ids)]
                yield (shop, criteria, "renewal", state, auditor,
                       self.now - timedelta(days=i), fix_due, "", rounds, self.now)  # fmt: skip

        self.timed("audits", Audit, columns, rows())

    def history(self) -> None:
        """The insert events of every loaded row, then the chain links of the chained ones."""
        from bench.seed_history import (
            chained_tables,
            insert_event_statements,
            max_pk,
            write_chain_links,
        )

        chained = {t.table: t for t in chained_tables()}
        first_events: dict[str, int] = {}
        order: list[str] = []
        for model, first_id in self.loaded:
            for statement in insert_event_statements(model, first_id):
                event_table = statement.split('"', 2)[1]
                if event_table in chained and event_table not in first_events:
                    first_events[event_table] = max_pk(event_table, chained[event_table].pk)
                    order.append(event_table)
                self.step(f"{event_table}", lambda s=statement: execute(s))
        self.step("history chain", lambda: write_chain_links(first_events, order))

    def run(self) -> None:
        from django.db import connection, transaction

        with transaction.atomic():
            with connection.cursor() as cursor:
                # Every trigger off for this transaction (pghistory, the chain, FK checks).
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SET LOCAL work_mem = '256MB'")  # the chains' sort, in memory
            self.users()
            self.members()
            self.shops()
            self.guarantees_table()
            self.claims()
            self.audits()
            self.history()


def already_seeded() -> int | None:
    """The number of guarantees of the seed's shops if the seed is there."""
    from certification.models import Shop
    from guarantees.models import Guarantee

    if not Shop.objects.filter(domain=SEED_MARKER).exists():
        return None
    return Guarantee.objects.filter(shop__domain__startswith="seed-").count()


def main() -> None:
    from bench.scale import add_database_option, setup

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guarantees", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    add_database_option(parser)
    options = parser.parse_args()
    setup(options.database)
    present = already_seeded()
    if present is not None:
        result = {"guarantees": present, "skipped": True, "tables": {}}
    else:
        seeder = Seeder(options.guarantees)
        start = time.perf_counter()
        seeder.run()
        analyze = time.perf_counter()
        # The planner's statistics, and the visibility map that lets index-only scans skip
        # the table (what autovacuum would do to a database that grew over two years).
        execute("VACUUM ANALYZE")
        seeder.timings["vacuum analyze"] = {
            "rows": 0,
            "seconds": round(time.perf_counter() - analyze, 2),
            "rows_per_s": 0,
        }
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
    print(f"{'step':<36}{'rows':>10}{'seconds':>10}{'rows/s':>10}")
    for name, t in result["tables"].items():
        print(f"{name:<36}{t['rows']:>10}{t['seconds']:>10}{t['rows_per_s']:>10}")
    print(f"{'total':<36}{rows:>10}{result['seconds']:>10}{result['rows_per_s']:>10}")


if __name__ == "__main__":
    main()
