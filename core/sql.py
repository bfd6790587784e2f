"""Insert several rows with one SQL statement: data-modifying CTEs, one round trip.

The busiest write path (the shop API registering a guarantee) writes three rows
that belong together: the guarantee, the buyer's email in the outbox and the
stored Idempotency-Key answer. As three ORM INSERTs in a transaction they cost
five statements (BEGIN, three INSERTs, COMMIT); as one statement they cost one
inside the caller's transaction, and PostgreSQL still runs each table's
constraints and triggers (history, the outbox's checks) as for any INSERT.

The INSERT of each row is compiled by Django itself (field defaults, `pre_save`,
value preparation), so no column list is written by hand. A later row may use a
value the database makes for an earlier one (the guarantee number from its
sequence) through `InsertedValue`. Model `save()` methods and `pre_save` /
`post_save` signals are not run: use it only for models that have none.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.db.models.sql.subqueries import InsertQuery


class InsertedValue(RawSQL):
    """A column of a row inserted earlier in the same statement, as a scalar subquery."""

    def __init__(self, alias: str, column: str, output_field: models.Field | None = None):
        quoted = connections["default"].ops.quote_name(column)
        # Names only: the alias is OneStatement's own, the column a quoted model column.
        sql = f"(SELECT {quoted} FROM {alias})"  # noqa: S608
        super().__init__(sql, (), output_field=output_field)


class JsonWith(RawSQL):
    """A JSON document whose listed keys take values made by the same statement."""

    def __init__(self, document: dict[str, Any], **values: InsertedValue) -> None:
        parts = ", ".join(f"%s::text, {value.sql}" for value in values.values())
        sql = f"(%s::jsonb || jsonb_build_object({parts}))"
        params = [json.dumps(document, separators=(",", ":")), *values]  # then the keys
        super().__init__(sql, params, output_field=models.JSONField())


class OneStatement:
    """Rows to insert together; `execute` sends them as one statement and sets their keys."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self._rows: list[tuple[models.Model, tuple[str, ...]]] = []

    def add(self, obj: models.Model, *returning: str) -> str:
        """Queue `obj`; `returning` names columns made by the database to read back onto it.

        The alias returned names the row for `InsertedValue` in rows added after it.
        """
        self._rows.append((obj, returning))
        return self._alias(len(self._rows) - 1)

    def value(self, alias: str, column: str) -> InsertedValue:
        return InsertedValue(alias, column)

    @staticmethod
    def _alias(index: int) -> str:
        return f"inserted_{index}"

    def execute(self) -> None:
        connection = connections[self.using]
        quote = connection.ops.quote_name
        ctes, params, outputs = [], [], []
        for index, (obj, returning) in enumerate(self._rows):
            opts = obj._meta
            fields = [
                field
                for field in opts.local_concrete_fields
                if not field.generated and field is not opts.auto_field
            ]
            query = InsertQuery(obj.__class__)
            query.insert_values(fields, [obj])
            compiler = query.get_compiler(using=self.using)
            compiler.returning_fields = [opts.pk, *(opts.get_field(name) for name in returning)]
            [(sql, row_params)] = compiler.as_sql()
            alias = self._alias(index)
            ctes.append(f"{alias} AS ({sql})")
            params.extend(row_params)
            outputs += [f"{alias}.{quote(opts.pk.column)}"]
            outputs += [f"{alias}.{quote(opts.get_field(name).column)}" for name in returning]
        joined = ", ".join(self._alias(index) for index in range(len(self._rows)))
        # Compiled by Django with every value a parameter; aliases and columns are names.
        statement = f"WITH {', '.join(ctes)} SELECT {', '.join(outputs)} FROM {joined}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            values = iter(cursor.fetchone())
        for obj, returning in self._rows:
            obj.pk = next(values)
            for name in returning:
                setattr(obj, obj._meta.get_field(name).attname, next(values))
            obj._state.adding = False
            obj._state.db = self.using
