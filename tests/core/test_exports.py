"""The shared export module: CSV for Excel, formula injection neutralised, XLSX with raw values."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.exports import Column, csv_response, neutralise, xlsx_response
from tests.export_helpers import rows_of


@dataclass
class Row:
    text: str
    amount: Decimal
    day: date


COLUMNS = [
    Column("Text", lambda r: r.text),
    Column("Amount", lambda r: r.amount),
    Column("Day", lambda r: r.day),
]
DANGEROUS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]


def test_cells_that_would_start_a_formula_get_a_leading_apostrophe():
    assert [neutralise(text) for text in DANGEROUS] == ["'" + text for text in DANGEROUS]
    assert neutralise('Zoë, "quoted"') == 'Zoë, "quoted"'


def test_csv_is_utf8_with_bom_quoted_and_neutralised_with_raw_values():
    rows = [Row(text, Decimal("-5.50"), date(2025, 1, 31)) for text in [*DANGEROUS, 'a,b\n"c"']]
    response = csv_response(filename="list", columns=COLUMNS, rows=rows)
    assert response["Content-Disposition"] == 'attachment; filename="list.csv"'
    parsed = rows_of(response)
    assert parsed[0] == ["Text", "Amount", "Day"]
    assert [row[0] for row in parsed[1:]] == ["'" + text for text in DANGEROUS] + ['a,b\n"c"']
    assert {tuple(row[1:]) for row in parsed[1:]} == {("-5.50", "2025-01-31")}


def test_xlsx_keeps_text_as_text_and_amounts_as_numbers():
    rows = [Row(text, Decimal("12.30"), date(2025, 1, 31)) for text in DANGEROUS]
    response = xlsx_response(filename="list", sheet_title="list", columns=COLUMNS, rows=rows)
    assert response["Content-Disposition"] == 'attachment; filename="list.xlsx"'
    parsed = rows_of(response)
    assert parsed[0] == ["Text", "Amount", "Day"]
    assert [row[0] for row in parsed[1:]] == DANGEROUS  # stored as strings, never formulas
    assert {tuple(row[1:]) for row in parsed[1:]} == {(12.3, "2025-01-31")}
