"""An uploaded list of orders to invite (CSV or XLSX): read, checked row by row, previewed.

Nothing is stored while reading: the preview shows every row with its problems
(row number, field, message), and the rows travel to the confirmation signed and
compressed in the form, so the person confirms exactly what they saw and nobody
can slip other rows in. The confirmation checks them again, as the database may
have changed in between, and invites the valid orders only.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from certification.models import Shop
from core.errors import DomainError
from reviews.invitations import Line, OrderData, invite, problems
from reviews.models import Invitation, InvitationSource, InvitationState, Product
from reviews.products import ProductData, clean_product

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# An XLSX is a zip: its unpacked size is bounded too (a small file can unpack to gigabytes).
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
ORDER_COLUMNS = (
    "order_reference",
    "email",
    "name",
    "language",
    "order_date",
    "expected_delivery_date",
)
LINE_COLUMNS = ("sku", "product_name", "gtin", "product_url", "image_url", "brand", "quantity")
REQUIRED = ("order_reference", "email", "order_date")
SALT = "trustmark.reviews.upload"
MAX_AGE = 3600  # seconds between the preview and the confirmation

Row = dict[str, str]


@dataclass
class Problem:
    row: int
    field: str
    message: str


@dataclass
class PreviewOrder:
    """One order of the list: its rows, the invitation it would be, or its problems."""

    reference: str
    rows: list[tuple[int, Row]]
    order: OrderData | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Preview:
    orders: list[PreviewOrder]

    @property
    def valid(self) -> list[PreviewOrder]:
        return [order for order in self.orders if order.ok]

    @property
    def problems(self) -> list[Problem]:
        return sorted(
            (problem for order in self.orders for problem in order.problems),
            key=lambda problem: problem.row,
        )

    @property
    def row_count(self) -> int:
        return sum(len(order.rows) for order in self.orders)


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="file", code="file")


def _header(value: Any) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\x00", "").strip()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data:
        raise _refuse(_("This is not a CSV or XLSX file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(
            _("The CSV file is not in UTF-8: save it as “CSV UTF-8” and upload it again.")
        ) from exc
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(item.file_size for item in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _refuse(_("This spreadsheet is too large once unpacked."))
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DomainError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _refuse(_("This XLSX file cannot be read: is it damaged?")) from exc
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        book.close()


def read_rows(upload: UploadedFile) -> list[tuple[int, Row]]:
    """(row number as the spreadsheet shows it, row by column name); DomainError on a bad file."""
    if not upload.size:
        raise _refuse(_("The file is empty."))
    if upload.size > MAX_BYTES:
        raise _refuse(
            _("The file is too large: at most %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if data.startswith(b"PK\x03\x04"):
        source: Iterator[list[Any]] = _xlsx_rows(data)
    elif data[:8].startswith((b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8")):
        raise _refuse(_("Only CSV (UTF-8) or XLSX files are accepted."))
    else:
        source = _csv_rows(data)
    try:
        header = [_header(value) for value in next(source, [])]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise _refuse(
                _("Columns missing: %(columns)s. The first row must name the columns.")
                % {"columns": ", ".join(missing)}
            )
        wanted = {
            name: header.index(name) for name in ORDER_COLUMNS + LINE_COLUMNS if name in header
        }
        rows: list[tuple[int, Row]] = []
        for number, values in enumerate(source, start=2):
            cells = [_cell(value) for value in values]
            if not any(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise _refuse(_("At most %(count)s rows per file, please.") % {"count": MAX_ROWS})
            rows.append(
                (
                    number,
                    {
                        name: cells[index] if index < len(cells) else ""
                        for name, index in wanted.items()
                    },
                )
            )
    except csv.Error as exc:
        raise _refuse(_("This CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    if not rows:
        raise _refuse(_("The file has no orders below its first row."))
    return rows


def _date(value: str, column: str, number: int, found: list[Problem]) -> date | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value[:10], pattern).date()
        except ValueError:
            continue
    found.append(Problem(number, column, _("Write the date as YYYY-MM-DD.")))
    return None


def _quantity(value: str, number: int, found: list[Problem]) -> int:
    if not value:
        return 1
    try:
        return int(value)
    except ValueError:
        found.append(Problem(number, "quantity", _("Write a whole number.")))
        return 1


def _check_order(shop: Shop, entry: PreviewOrder, known_skus: set[str]) -> None:
    first_number, first = entry.rows[0]
    found: list[Problem] = []
    for number, row in entry.rows[1:]:
        for column in ("email", "order_date"):
            if row.get(column) and row.get(column) != first.get(column):
                found.append(
                    Problem(number, column, _("Differs from the first row of this order."))
                )
    ordered = _date(first.get("order_date", ""), "order_date", first_number, found)
    delivery = _date(
        first.get("expected_delivery_date", ""), "expected_delivery_date", first_number, found
    )
    lines: list[Line] = []
    named = {row.get("sku", "") for _n, row in entry.rows if row.get("product_name")}
    for number, row in entry.rows:
        if not any(row.get(column) for column in LINE_COLUMNS):
            continue
        try:
            product = clean_product(
                ProductData(
                    sku=row.get("sku", ""),
                    name=row.get("product_name", ""),
                    gtin=row.get("gtin", ""),
                    url=row.get("product_url", ""),
                    image_url=row.get("image_url", ""),
                    brand=row.get("brand", ""),
                ),
                name_required=False,
            )
        except DomainError as exc:
            column = {"name": "product_name", "url": "product_url"}.get(exc.field or "", exc.field)
            found.append(Problem(number, column or "sku", exc.message))
            continue
        if product.sku not in known_skus and product.sku not in named:
            found.append(Problem(number, "product_name", _("A new product needs its name.")))
            continue
        lines.append(
            Line(product=product, quantity=_quantity(row.get("quantity", ""), number, found))
        )
    if ordered is None and not any(problem.field == "order_date" for problem in found):
        found.append(Problem(first_number, "order_date", _("The order date is missing.")))
    order, refused = problems(
        shop,
        OrderData(
            order_reference=entry.reference,
            email=first.get("email", ""),
            name=first.get("name", ""),
            language=first.get("language", ""),
            order_date=ordered,
            expected_delivery_date=delivery,
            lines=tuple(lines),
        ),
        line_prefix="",
    )
    seen = {problem.field for problem in found}
    found += [
        Problem(first_number, column, exc.message)
        for exc in refused
        if (column := (exc.field or "").split(".")[-1] or "order_reference") not in seen
    ]
    entry.problems = sorted(found, key=lambda problem: problem.row)
    entry.order = None if found else order


def preview(shop: Shop, rows: list[tuple[int, Row]]) -> Preview:
    """Every order of the list checked against the shop as it is now; nothing stored."""
    grouped: dict[str, PreviewOrder] = {}
    orders: list[PreviewOrder] = []
    for number, row in rows:
        reference = row.get("order_reference", "").strip()
        if not reference:
            orders.append(
                PreviewOrder(
                    reference="",
                    rows=[(number, row)],
                    problems=[
                        Problem(number, "order_reference", _("The order reference is missing."))
                    ],
                )
            )
            continue
        if reference not in grouped:
            grouped[reference] = PreviewOrder(reference=reference, rows=[])
            orders.append(grouped[reference])
        grouped[reference].rows.append((number, row))
    invited = set(
        Invitation.objects.filter(shop=shop, order_reference__in=list(grouped)).values_list(
            "order_reference", flat=True
        )
    )
    skus = {row.get("sku", "").strip() for _n, row in rows if row.get("sku")}
    known = set(Product.objects.filter(shop=shop, sku__in=skus).values_list("sku", flat=True))
    for entry in grouped.values():
        if entry.reference in invited:
            entry.problems = [
                Problem(
                    entry.rows[0][0], "order_reference", _("This order has already been invited.")
                )
            ]
            continue
        _check_order(shop, entry, known)
    return Preview(orders=orders)


def sign_rows(shop: Shop, user: Any, rows: list[tuple[int, Row]]) -> str:
    return signing.dumps({"shop": shop.pk, "user": user.pk, "rows": rows}, salt=SALT, compress=True)


def unsign_rows(token: str, *, shop: Shop, user: Any) -> list[tuple[int, Row]]:
    """The rows of the preview this person saw for this shop, within MAX_AGE; else a DomainError."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise DomainError(
            _("The preview is too old: upload the file again."), field="file"
        ) from exc
    except signing.BadSignature as exc:
        raise DomainError(_("Upload the file again."), field="file") from exc
    if data.get("shop") != shop.pk or data.get("user") != user.pk:
        raise DomainError(_("Upload the file again."), field="file")
    return [(int(number), dict(row)) for number, row in data["rows"]]


@dataclass
class Outcome:
    invited: int = 0
    cancelled: int = 0
    skipped: int = 0


def invite_rows(*, shop: Shop, rows: list[tuple[int, Row]], actor: Any) -> Outcome:
    """Invite every valid order of the confirmed list (source: upload); skip the others."""
    outcome = Outcome()
    for entry in preview(shop, rows).orders:
        if not entry.ok or entry.order is None:
            outcome.skipped += 1
            continue
        order = entry.order
        try:
            invitation = invite(
                shop=shop,
                order_reference=order.order_reference,
                email=order.email,
                name=order.name,
                language=order.language,
                order_date=order.order_date,
                expected_delivery_date=order.expected_delivery_date,
                source=InvitationSource.UPLOAD,
                lines=order.lines,
                actor=actor,
            )
        except DomainError:  # invited meanwhile (the checkout, another upload)
            outcome.skipped += 1
            continue
        if invitation.state == InvitationState.CANCELLED:
            outcome.cancelled += 1
        else:
            outcome.invited += 1
    return outcome
