"""Walk the history chains and recompute every hash from the event rows as stored now.

The triggers of core/migrations/0002 write the chain; this module only reads. It
finds the chained tables from the database itself (the tables carrying the
`core_history_chain` trigger), so a table chained later is verified without a change
here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

TRIGGER = "core_history_chain"


@dataclass(frozen=True)
class Fault:
    """The first event of a chain that does not match, and why."""

    chain: int
    seq: int | None
    table: str
    pk: int | None
    problem: str

    def __str__(self) -> str:
        where = f"chain {self.chain}" + (f" seq {self.seq}" if self.seq is not None else "")
        return f"{where}: {self.table} pk={self.pk}: {self.problem}"


@dataclass
class Report:
    chains: int = 0
    links: int = 0
    faults: list[Fault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults


def chained_tables() -> dict[str, str]:
    """Each table carrying the chain trigger, with its primary-key column."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, a.attname
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
            WHERE t.tgname = %s
            ORDER BY c.relname
            """,
            [TRIGGER],
        )
        return dict(cursor.fetchall())


def link_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _links(tables: dict[str, str]) -> Iterator[tuple]:
    """Every link in chain order, with its event row's canonical JSON (None if gone).

    The JSON is the database's own `core_history_payload` (core/migrations/0003), the
    one the trigger hashed: the row without the buyer's personal fields.
    """
    qn = connection.ops.quote_name  # table and column names come from pg_catalog, quoted
    events = " UNION ALL ".join(
        f"SELECT %s AS event_table, e.{qn(pk)}::bigint AS event_pk, "  # noqa: S608
        f"core_history_payload(%s, to_jsonb(e)) AS payload FROM {qn(table)} e"
        for table, pk in tables.items()
    )
    sql = (
        "SELECT l.chain, l.seq, l.event_table, l.event_pk, l.prev_hash, l.hash, p.payload "
        "FROM core_historylink l "
        + (
            f"LEFT JOIN ({events}) p ON p.event_table = l.event_table AND p.event_pk = l.event_pk "
            if tables
            else "CROSS JOIN (SELECT NULL::text AS payload) p "
        )
        + "ORDER BY l.chain, l.seq"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [name for table in tables for name in (table, table)])
        yield from cursor


def _check_links(tables: dict[str, str], report: Report) -> dict[int, tuple[int, str]]:
    """Walk each chain; return each chain's last (seq, hash) as the links say."""
    tips: dict[int, tuple[int, str]] = {}
    broken: set[int] = set()
    for chain, seq, table, pk, prev_hash, stored, payload in _links(tables):
        report.links += 1
        if chain in broken:
            continue
        last_seq, last_hash = tips.get(chain, (0, ""))
        problem = ""
        if seq != last_seq + 1:
            problem = f"links {last_seq + 1}..{seq - 1} are missing"
        elif prev_hash != last_hash:
            problem = "its previous hash is not the hash of the link before"
        elif payload is None:
            problem = "the event row is missing (deleted)"
        elif link_hash(prev_hash, payload) != stored:
            problem = "the event row was changed after it was written"
        if problem:
            broken.add(chain)
            report.faults.append(Fault(chain, seq, table, pk, problem))
        tips[chain] = (seq, stored)
    return {chain: tip for chain, tip in tips.items() if chain not in broken}


def _check_heads(tips: dict[int, tuple[int, str]], report: Report) -> None:
    """A head ahead of its last link means links were cut off the end."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT chain, seq, hash FROM core_historychainhead ORDER BY chain")
        heads = cursor.fetchall()
    report.chains = len(heads)
    broken = {fault.chain for fault in report.faults}
    for chain, seq, stored in heads:
        if chain not in broken and tips.get(chain, (0, "")) != (seq, stored):
            report.faults.append(
                Fault(chain, seq, "core_historylink", None, "the last links are missing")
            )


def _check_unchained(tables: dict[str, str], report: Report) -> None:
    """An event without a link was inserted while the triggers were off."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, pk in tables.items():
            cursor.execute(
                f"SELECT e.{qn(pk)} FROM {qn(table)} e WHERE NOT EXISTS ("  # noqa: S608
                "SELECT 1 FROM core_historylink l WHERE l.event_table = %s "
                f"AND l.event_pk = e.{qn(pk)}) ORDER BY e.{qn(pk)} LIMIT 1",
                [table],
            )
            row = cursor.fetchone()
            if row:
                report.faults.append(Fault(-1, None, table, row[0], "the event is not chained"))


def verify() -> Report:
    """Recompute every chain; the report lists the first fault of each broken chain."""
    report = Report()
    snapshot = not connection.in_atomic_block  # one snapshot for all the reads, if ours
    with transaction.atomic():
        with connection.cursor() as cursor:
            if snapshot:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SET LOCAL TimeZone = 'UTC'")
        tables = chained_tables()
        tips = _check_links(tables, report)
        _check_heads(tips, report)
        _check_unchained(tables, report)
    return report
