"""The history of rows loaded with the triggers off, written set-wise: events, then chain links.

bench/seed.py loads its tables with `session_replication_role = replica`, which
turns every trigger off: the pghistory insert triggers (one INSERT into the
event table per row) and the history chain's AFTER INSERT trigger of
core/migrations/0002 (per event: lock the shop's chain head, hash, append a
link) cost milliseconds a row, most of a million-guarantee seed. This module
writes what those triggers would have written, one statement per table:

- the insert events, with the very column list and values of each model's
  pghistory insert trigger (taken from the trigger's own SQL, so a field added
  to an event model later is seeded too), reading the new rows instead of NEW;
- the chain links of the new events, with the hash rule of core/history_chain.py
  (sha256 of the previous hash and the event row's `core_history_payload(table,
  to_jsonb(e))` text, in UTC: the row without the buyer's personal fields),
  computed by a running aggregate over each chain in event order, and each
  chain's head. `manage.py verify_history` checks them like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Model

from core.history_chain import TRIGGER as CHAIN_TRIGGER

# pghistory's row-level insert trigger body, as pghistory.trigger.Event.get_func writes it.
_INSERT_EVENT = re.compile(
    r'^INSERT INTO "(?P<table>[^"]+)" \((?P<columns>[^)]*)\) VALUES \((?P<values>.*)\); '
    r"RETURN NULL;$",
    re.DOTALL,
)

# The running step of a chain: the state is {previous hash, hash}; the first link's
# previous hash is '' and its hash is sha256 of the payload alone, as in the trigger.
# (PL/pgSQL: its simple expressions run faster here than an SQL function's executor.)
CHAIN_FUNCTIONS = """
CREATE FUNCTION pg_temp.seed_chain_step(state text[], payload text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    RETURN ARRAY[state[2], encode(sha256(convert_to(state[2] || payload, 'UTF8')), 'hex')];
END $$;
CREATE AGGREGATE pg_temp.seed_chain(text) (
    SFUNC = pg_temp.seed_chain_step, STYPE = text[], INITCOND = '{"",""}'
);
"""


def insert_event_statements(model: type[Model], first_id: int) -> list[str]:
    """INSERT ... SELECT statements writing `model`'s insert events for rows with id > first_id."""
    import pghistory.trigger
    import pgtrigger

    statements = []
    for trigger in getattr(model._meta, "triggers", []):
        if not isinstance(trigger, pghistory.trigger.Event):
            continue
        if str(trigger.operation) != str(pgtrigger.Insert) or trigger.condition is not None:
            continue
        if trigger.level != pgtrigger.Row or trigger.row != "NEW":
            raise SystemExit(f"{model.__name__}: only row-level insert events can be seeded")
        body = trigger.get_func(model).func
        match = _INSERT_EVENT.match(body)
        if match is None:
            raise SystemExit(f"{model.__name__}: pghistory's trigger SQL changed shape:\n{body}")
        # Without a pghistory context the function returns NULL; one call for the statement.
        values = match["values"].replace("_pgh_attach_context()", "(SELECT _pgh_attach_context())")
        table = connection.ops.quote_name(model._meta.db_table)
        statements.append(
            f'INSERT INTO "{match["table"]}" ({match["columns"]}) '
            f"SELECT {values} FROM {table} AS NEW WHERE NEW.id > {int(first_id)} ORDER BY NEW.id"
        )
    return statements


@dataclass(frozen=True)
class ChainedTable:
    """An event table carrying the chain trigger, with the trigger's arguments."""

    table: str
    pk: str
    shop_column: str
    parent: str  # the table holding the shop when shop_column points at it, else ''

    def payloads(self, first_pk: int, rank: int) -> str:
        """SELECT of (rank, table, pk, chain, payload) for the events with pk > first_pk."""
        qn = connection.ops.quote_name
        chain = f"e.{qn(self.shop_column)}"
        join = ""
        if self.parent:
            join = f" LEFT JOIN {qn(self.parent)} p ON p.id = e.{qn(self.shop_column)}"
            chain = "p.shop_id"
        return (
            f"SELECT {rank} AS rank, '{self.table}'::text AS event_table, "
            f"e.{qn(self.pk)}::bigint AS event_pk, coalesce({chain}, 0)::bigint AS chain, "
            f"core_history_payload('{self.table}', to_jsonb(e)) AS payload "
            f"FROM {qn(self.table)} e{join} WHERE e.{qn(self.pk)} > {int(first_pk)}"
        )


def chained_tables() -> list[ChainedTable]:
    """The tables the chain trigger is on, with its (pk, shop column, parent) arguments."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgargs FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s ORDER BY c.relname",
            [CHAIN_TRIGGER],
        )
        rows = cursor.fetchall()
    tables = []
    for table, args in rows:
        pk, column, parent = bytes(args).decode().split("\x00")[:3]
        tables.append(ChainedTable(table, pk, column, parent))
    return tables


def max_pk(table: str, pk: str) -> int:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max({qn(pk)}), 0) FROM {qn(table)}")
        return cursor.fetchone()[0]


def write_chain_links(first_pks: dict[str, int], order: list[str]) -> int:
    """Chain the events written since `first_pks` (per table); how many links (the heads'
    seq add up to it, every chain being new).

    Within a chain, events go in the order their tables were written (`order`), then by
    pk: the order in which the triggers would have seen them. Every seeded event belongs
    to a shop the seed created, so each chain starts at seq 1; a head already there is a
    unique violation, not a silent fork.
    """
    tables = {t.table: t for t in chained_tables()}
    parts = [
        tables[name].payloads(first_pks[name], rank)
        for rank, name in enumerate(order)
        if name in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TimeZone = 'UTC'")  # timestamps in the payload, as the trigger
        cursor.execute(CHAIN_FUNCTIONS)
        cursor.execute(
            "WITH links AS ("
            " INSERT INTO core_historylink (chain, seq, event_table, event_pk, prev_hash, hash)"
            " SELECT chain, seq, event_table, event_pk, h[1], h[2] FROM ("
            "  SELECT chain, event_table, event_pk,"
            "   row_number() OVER w AS seq, pg_temp.seed_chain(payload) OVER w AS h"
            f"  FROM ({' UNION ALL '.join(parts)}) events"
            "  WINDOW w AS (PARTITION BY chain ORDER BY rank, event_pk"
            "   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
            " ) chained"
            " RETURNING chain, seq, prev_hash, hash"
            "), heads AS ("
            " INSERT INTO core_historychainhead (chain, seq, prev_hash, hash)"
            " SELECT DISTINCT ON (chain) chain, seq, prev_hash, hash FROM links"
            " ORDER BY chain, seq DESC RETURNING seq"
            ") SELECT coalesce(sum(seq), 0) FROM heads"
        )
        return int(cursor.fetchone()[0])
