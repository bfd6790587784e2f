"""A list page's rows as a file: CSV streamed row by row, or XLSX written in write-only mode.

A page builds its filtered query once and, when `?export=csv|xlsx` is present, hands the
same query to `export_response` instead of the paginator, so the file never holds more
than the page would show. Cells are raw values: ISO dates, decimal amounts, no locale
formatting. Text that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and how to read the cell from a row."""

    header: Any
    value: Callable[[Any], Any]


def requested_format(request: HttpRequest) -> str | None:
    """`csv` or `xlsx` when the page was asked for a file, else None (render the page)."""
    fmt = request.GET.get("export", "")
    return fmt if fmt in FORMATS else None


def neutralise(text: str) -> str:
    """A leading apostrophe keeps `=`, `+`, `-`, `@` (and tab, CR) from starting a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def raw(value: Any) -> Any:
    """The cell as plain data: ISO dates, Decimal amounts, text; None stays empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float):
        return value
    return str(value)


def _cells(row: Any, columns: Sequence[Column]) -> list[Any]:
    return [raw(column.value(row)) for column in columns]


def _rows(rows: Iterable[Any]) -> Iterator[Any]:
    """Querysets are read with a server-side cursor: one query, memory bounded by a chunk."""
    iterator = getattr(rows, "iterator", None)
    return iterator(chunk_size=CHUNK_SIZE) if iterator is not None else iter(rows)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    *, filename: str, columns: Sequence[Column], rows: Iterable[Any]
) -> StreamingHttpResponse:
    """UTF-8 with a BOM (so Excel reads the accents), every field quoted, streamed."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([neutralise(str(c.header)) for c in columns])
        for row in _rows(rows):
            cells = _cells(row, columns)
            yield writer.writerow(
                [neutralise(cell) if isinstance(cell, str) else cell for cell in cells]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def xlsx_response(
    *, filename: str, sheet_title: str, columns: Sequence[Column], rows: Iterable[Any]
) -> FileResponse:
    """One sheet, written in openpyxl's write-only mode; text cells are never formulas."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)

    def cell(value: Any, *, header: bool = False) -> WriteOnlyCell:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
            written.quotePrefix = value.startswith(FORMULA_TRIGGERS)
        if header:
            written.font = bold
        return written

    sheet.append([cell(str(c.header), header=True) for c in columns])
    for row in _rows(rows):
        sheet.append([cell(value) for value in _cells(row, columns)])
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(file)
    file.seek(0)
    return FileResponse(
        file, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
    )


def export_response(
    fmt: str, *, filename: str, columns: Sequence[Column], rows: Iterable[Any]
) -> StreamingHttpResponse | FileResponse:
    """The list as a download named `<filename>-<today>.csv|xlsx`."""
    name = f"{filename}-{timezone.localdate().isoformat()}"
    if fmt == "xlsx":
        return xlsx_response(filename=name, sheet_title=filename, columns=columns, rows=rows)
    return csv_response(filename=name, columns=columns, rows=rows)
