"""Reading a list page's CSV or XLSX download back into rows, as a spreadsheet would."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows_of(response) -> list[list]:
    """Header first, then the rows; CSV cells as text, XLSX cells as stored."""
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    data = body(response)
    if response["Content-Type"].startswith("text/csv"):
        assert data.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def export_queries(client, url, params) -> int:
    """Queries run to produce the whole file (a streamed CSV is read to its end)."""
    with CaptureQueriesContext(connection) as queries:
        body(client.get(url, params))
    return len(queries)
