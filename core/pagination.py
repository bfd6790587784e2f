"""Keyset pagination: the next page starts after the last row's sort key, not at an offset.

With `?page=400` PostgreSQL reads and throws away 10,000 rows before the 25 it
shows, and counts the whole list for "page 1 of N"; a page here is one indexed
range read of `per_page + 1` rows whatever its depth: `(key1, key2) > (last
row's values)`, in the list's own order. The "next" link carries the last row's
key in a signed cursor (`?cursor=...`), so a cursor changed by hand, cut short or
taken from another list is refused with a 400 (`InvalidCursor`), never a 500 or a
page of somebody's choosing. Filters stay in the other query parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import BooleanField, Expression, F, QuerySet, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class InvalidCursor(Exception):
    """The cursor was not made by this list (changed, cut short, or from another list)."""


class RowComparison(Expression):
    """`(a, b, ...) > (x, y, ...)` (or `<`): a row comparison, which PostgreSQL reads as
    one range of an index on (a, b, ...) instead of `a > x OR (a = x AND b > y)`."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, fields: list[Any], values: list[Any], operator: str) -> None:
        super().__init__()
        if operator not in ("<", ">") or len(fields) != len(values):
            raise ValueError("a row comparison takes as many values as fields, with < or >")
        self.width = len(fields)
        self.operator = operator
        self.parts = [F(f) if isinstance(f, str) else f for f in fields] + [
            v if hasattr(v, "resolve_expression") else Value(v) for v in values
        ]

    def get_source_expressions(self) -> list[Any]:
        return self.parts

    def set_source_expressions(self, exprs: list[Any]) -> None:
        self.parts = list(exprs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sides, params = [], []
        for part in (self.parts[: self.width], self.parts[self.width :]):
            compiled = [compiler.compile(expression) for expression in part]
            sides.append(", ".join(sql for sql, _params in compiled))
            params += [param for _sql, part_params in compiled for param in part_params]
        return f"({sides[0]}) {self.operator} ({sides[1]})", params


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"a keyset key cannot hold {value!r}")
    return value


def _load(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, text),) = value.items()
        readers = {"t": datetime.fromisoformat, "d": date.fromisoformat, "n": Decimal}
        if tag in readers and isinstance(text, str):
            return readers[tag](text)
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    raise ValueError("not a key value")


@dataclass(frozen=True)
class KeysetPage:
    """One page: its rows, and the cursor of the next page if there is one."""

    object_list: list[Any]
    next_cursor: str | None
    is_first: bool
    keyset: Keyset = field(repr=False)
    queryset: QuerySet = field(repr=False)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    def has_other_pages(self) -> bool:
        return self.has_next or not self.is_first

    def cursor_at(self, index: int) -> str | None:
        """The cursor of the page whose first row is row `index` (0-based) of the whole
        list, or None for the first page or past the end. For benchmarks and tests: users
        get cursors from the "next" links."""
        if index <= 0:
            return None
        rows = list(self.keyset.ordered(self.queryset)[index - 1 : index])
        return self.keyset.cursor_after(rows[0]) if rows else None


@dataclass(frozen=True)
class Keyset:
    """A list's order, paged by key. `order` names fields or annotations, all ascending or
    all descending ("-"), the last unique (the primary key), e.g. ("-created_at", "-pk")."""

    name: str  # signs the cursors, so that one list's cursor means nothing to another
    order: tuple[str, ...]
    per_page: int

    def __post_init__(self) -> None:
        directions = {name.startswith("-") for name in self.order}
        if len(directions) != 1:
            raise ValueError("a keyset orders all its keys the same way")

    @property
    def descending(self) -> bool:
        return self.order[0].startswith("-")

    @property
    def fields(self) -> list[str]:
        return [name.removeprefix("-") for name in self.order]

    def ordered(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by(*self.order)

    def cursor_after(self, row: Any) -> str:
        values = [_dump(getattr(row, name)) for name in self.fields]
        return signing.dumps(values, salt=f"keyset:{self.name}", compress=False)

    def decode(self, cursor: str) -> list[Any]:
        try:
            values = signing.loads(cursor, salt=f"keyset:{self.name}")
            if not isinstance(values, list) or len(values) != len(self.order):
                raise ValueError("wrong number of keys")
            return [_load(value) for value in values]
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise InvalidCursor(str(exc)) from exc

    def page(self, queryset: QuerySet, cursor: str | None) -> KeysetPage:
        """The page after `cursor` (the first page without one): one query."""
        rows = self.ordered(queryset)
        if cursor:
            operator = "<" if self.descending else ">"
            rows = rows.filter(RowComparison(self.fields, self.decode(cursor), operator))
        found = list(rows[: self.per_page + 1])
        shown = found[: self.per_page]
        following = self.cursor_after(shown[-1]) if len(found) > self.per_page else None
        return KeysetPage(shown, following, not cursor, self, queryset)


def invalid_cursor_response(request: HttpRequest) -> HttpResponse:
    """A 400 page saying the page link is broken, with a link to the list's first page."""
    return render(request, "invalid_cursor.html", status=400)
