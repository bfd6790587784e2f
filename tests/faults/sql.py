"""Raw SQL for fault tests: copy a row with some columns changed, past every model check."""

from __future__ import annotations

from typing import Any

from django.db import connection
from psycopg import sql


def copy_row(table: str, pk: int, **changes: Any) -> None:
    """INSERT a copy of row `pk` of `table`, its id left to the database, `changes` applied."""
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
    kept = [c for c in columns if c != "id"]
    values = [sql.Placeholder(c) if c in changes else sql.Identifier(c) for c in kept]
    query = sql.SQL("INSERT INTO {table} ({cols}) SELECT {values} FROM {table} WHERE id = %(pk)s")
    statement = query.format(
        table=sql.Identifier(table),
        cols=sql.SQL(", ").join(map(sql.Identifier, kept)),
        values=sql.SQL(", ").join(values),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(cursor.connection), {**changes, "pk": pk})
