"""COD money from the carriers: one parcel's COD marked received, and the carrier's COD
statement (CSV or .xlsx) read, reconciled against our parcels and confirmed.

A parcel's COD is recorded once: one CodReceipt per shipment (a unique constraint), written in
the same transaction as the order's Payment (orders' payment service, so the order's payment
status and history follow). Confirming a statement records its matching rows only; importing
the same statement again finds every row "already received" and changes nothing. An order whose
parcel is delivered and that is fully paid is completed (orders' transition service), whichever
comes last: the money or the delivery (`order_complete_if_settled`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.days import day_start
from common.money import ParseError, parse_money
from common.spreadsheets import SpreadsheetReadError, read_rows
from common.text import cell_text, fold
from orders import transitions as t
from orders.errors import OrderError
from orders.models import Order, PaymentKind, PaymentMethod
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import order_complete
from shipping.errors import ShippingError
from shipping.models import CarrierAccount, CodReceipt, CodStatement, Shipment, ShipmentState

MAX_STATEMENT_ROWS = 20_000
MAX_STATEMENT_BYTES = 10 * 1024 * 1024

# Kinds of a statement row, in the order the preview sorts them (differences first).
INVALID = "invalid"
DUPLICATE = "duplicate"
UNKNOWN = "unknown"
AMOUNT_DIFFERS = "amount_differs"
NOT_DELIVERED = "not_delivered"
RECEIVED = "received"
MATCH = "match"
KINDS = {
    INVALID: gettext_lazy("Cannot be read"),
    DUPLICATE: gettext_lazy("Twice in the file"),
    UNKNOWN: gettext_lazy("Unknown tracking number"),
    AMOUNT_DIFFERS: gettext_lazy("Amount differs"),
    NOT_DELIVERED: gettext_lazy("Not delivered yet"),
    RECEIVED: gettext_lazy("Already received"),
    MATCH: gettext_lazy("Matches"),
}

# Column names as GHN and Viettel Post statements write them (folded, Vietnamese or English),
# then words that give a column away. Checked in this order: "Phí COD" is a fee, not the COD.
_FIELDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "transferred_on",
        ("transfer date", "ngay chuyen tien", "ngay doi soat", "ngay thanh toan", "date"),
        ("ngay", "date"),
    ),
    (
        "fee",
        ("fee", "phi", "cuoc phi", "tong phi", "tong cuoc", "money totalfee", "money total"),
        ("phi", "cuoc", "fee"),
    ),
    (
        "amount",
        ("cod", "cod amount", "tien thu ho", "thu ho", "tien cod", "money collection"),
        ("thu ho", "cod", "collect"),
    ),
    (
        "tracking",
        (
            "tracking number",
            "ma van don",
            "ma don hang",
            "so hieu don",
            "order code",
            "order number",
        ),
        ("van don", "tracking", "waybill", "ma don", "so hieu", "order"),
    ),
)
REQUIRED = ("tracking", "amount")


@dataclass(frozen=True)
class StatementRow:
    line: int
    tracking: str
    amount: Decimal | None
    fee: Decimal | None
    transferred_on: date | None
    error: str = ""


@dataclass(frozen=True)
class Reconciled:
    row: StatementRow
    kind: str
    shipment: Shipment | None

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def expected(self) -> Decimal | None:
        return None if self.shipment is None else self.shipment.cod_amount


# --- Reading a statement ----------------------------------------------------------------------


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z\u0e00-\u0e7f]+", " ", fold(text).replace("_", " ")).split())


def statement_columns(header: list[object]) -> dict[str, int]:
    """Which column holds which field: exact names first, then telling words."""
    keys = [_header_key(cell_text(cell)) for cell in header]
    found: dict[str, int] = {}
    for exact in (True, False):
        for field, names, words in _FIELDS:
            if field in found:
                continue
            for index, key in enumerate(keys):
                if index in found.values() or not key:
                    continue
                hit = key in names if exact else any(w in key.split() or w in key for w in words)
                if hit:
                    found[field] = index
                    break
    missing = [field for field in REQUIRED if field not in found]
    if missing:
        raise ShippingError(
            _("The statement needs a tracking number column and a COD amount column.")
        )
    return found


def _parse_day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).split(" ")[0].split("T")[0]
    for pattern in (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", r"(\d{4})-(\d{1,2})-(\d{1,2})"):
        match = re.fullmatch(pattern, text)
        if match:
            a, b, c = (int(part) for part in match.groups())
            try:
                return date(c, b, a) if len(match.group(3)) == 4 else date(a, b, c)
            except ValueError:
                break
    raise ParseError(_("“%(value)s” is not a date (dd/mm/yyyy).") % {"value": cell_text(value)})


def _cell(row: list[object], index: int | None) -> object:
    if index is None or index >= len(row):
        return None
    return row[index]


def _statement_row(line: int, row: list[object], columns: dict[str, int]) -> StatementRow:
    tracking = cell_text(_cell(row, columns["tracking"])).upper()
    values: dict[str, Any] = {"amount": None, "fee": None, "transferred_on": None}
    errors = []
    parsers: dict[str, Callable[[object], Any]] = {
        "amount": parse_money,
        "fee": parse_money,
        "transferred_on": _parse_day,
    }
    for field, parse in parsers.items():
        raw = _cell(row, columns.get(field))
        if field != "amount" and cell_text(raw) == "":
            continue
        try:
            values[field] = parse(raw)
        except ParseError as error:
            errors.append(str(error))
    if not tracking:
        errors.append(_("No tracking number."))
    return StatementRow(line=line, tracking=tracking, error=" ".join(errors), **values)


def statement_read(*, data: bytes, filename: str) -> list[StatementRow]:
    """The rows of a COD statement file (header row first, any column order)."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise ShippingError(_("The file is larger than %(mb)d MB.") % {"mb": 10})
    if not filename.lower().endswith((".csv", ".xlsx")):
        raise ShippingError(_("Upload a .csv or .xlsx file."))
    try:
        rows = read_rows(data, filename=filename)
    except SpreadsheetReadError as error:
        raise ShippingError(str(error)) from error
    if len(rows) < 2:
        raise ShippingError(_("The file is empty."))
    if len(rows) - 1 > MAX_STATEMENT_ROWS:
        raise ShippingError(
            _("The file has more than %(max)d rows; split it into smaller files.")
            % {"max": MAX_STATEMENT_ROWS}
        )
    columns = statement_columns(rows[0])
    return [_statement_row(n, row, columns) for n, row in enumerate(rows[1:], start=2)]


def _row_data(row: StatementRow) -> dict[str, Any]:
    return {
        "line": row.line,
        "tracking": row.tracking,
        "amount": None if row.amount is None else str(row.amount),
        "fee": None if row.fee is None else str(row.fee),
        "transferred_on": None if row.transferred_on is None else row.transferred_on.isoformat(),
        "error": row.error,
    }


def _row_of(data: dict[str, Any]) -> StatementRow:
    return StatementRow(
        line=data["line"],
        tracking=data["tracking"],
        amount=None if data["amount"] is None else Decimal(data["amount"]),
        fee=None if data["fee"] is None else Decimal(data["fee"]),
        transferred_on=(
            None if data["transferred_on"] is None else date.fromisoformat(data["transferred_on"])
        ),
        error=data["error"],
    )


def statement_upload(
    *, account_id: int, data: bytes, filename: str, user_id: int | None
) -> CodStatement:
    """Read an uploaded statement and keep its rows for the preview and the confirmation."""
    rows = statement_read(data=data, filename=filename)
    account = CarrierAccount.objects.get(pk=account_id)
    return CodStatement.objects.create(
        account=account,
        filename=filename[-200:],
        digest=hashlib.sha256(data).hexdigest(),
        rows=[_row_data(row) for row in rows],
        created_by_id=user_id,
    )


# --- Reconciling ------------------------------------------------------------------------------


def _kind(row: StatementRow, shipment: Shipment | None, seen: set[str], received: set[int]) -> str:
    if row.error:
        return INVALID
    if row.tracking in seen:
        return DUPLICATE
    seen.add(row.tracking)
    if shipment is None:
        return UNKNOWN
    if shipment.pk in received:
        return RECEIVED
    if shipment.state != ShipmentState.DELIVERED:
        return NOT_DELIVERED
    if row.amount != shipment.cod_amount:
        return AMOUNT_DIFFERS
    return MATCH


def statement_reconcile(*, statement: CodStatement) -> list[Reconciled]:
    """Each row of the statement with what it is against our parcels, in file order."""
    rows = [_row_of(data) for data in statement.rows]
    trackings = {row.tracking for row in rows if row.tracking}
    shipments = {
        s.tracking_number: s
        for s in Shipment.objects.filter(
            account_id=statement.account_id, tracking_number__in=trackings
        ).select_related("order")
    }
    received = set(
        CodReceipt.objects.filter(shipment_id__in=[s.pk for s in shipments.values()]).values_list(
            "shipment_id", flat=True
        )
    )
    seen: set[str] = set()
    result = []
    for row in rows:
        shipment = shipments.get(row.tracking)
        result.append(Reconciled(row, _kind(row, shipment, seen, received), shipment))
    return result


def statement_confirm(*, statement_id: int, user_id: int | None) -> int:
    """Record the COD of every matching row (once each); returns how many were recorded now."""
    statement = CodStatement.objects.get(pk=statement_id)
    recorded = 0
    for line in statement_reconcile(statement=statement):
        if line.kind != MATCH or line.shipment is None or line.row.amount is None:
            continue
        receipt = cod_receive(
            shipment_id=line.shipment.pk,
            amount=line.row.amount,
            received_on=line.row.transferred_on or timezone.localdate(),
            fee=line.row.fee,
            statement_id=statement.pk,
            user_id=user_id,
        )
        recorded += receipt is not None
    rows = CodStatement.objects.filter(pk=statement.pk)
    rows.filter(confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), confirmed_by_id=user_id
    )
    rows.update(recorded=F("recorded") + recorded)
    return recorded


def statement_same_file(*, statement: CodStatement) -> CodStatement | None:
    """An earlier upload of exactly this file, if any (the same bytes)."""
    return (
        CodStatement.objects.filter(digest=statement.digest, pk__lt=statement.pk)
        .order_by("-pk")
        .first()
    )


# --- One parcel -------------------------------------------------------------------------------


def cod_receive(
    *,
    shipment_id: int,
    amount: Decimal,
    received_on: date,
    user_id: int | None,
    fee: Decimal | None = None,
    statement_id: int | None = None,
) -> CodReceipt | None:
    """The COD of one parcel is in: the order's COD payment recorded and the receipt kept, once.
    None when this parcel's COD was already recorded. Completes the order when settled."""
    now = timezone.now()
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        if CodReceipt.objects.filter(shipment_id=shipment.pk).exists():
            return None
        if amount <= 0:
            raise ShippingError(_("The amount must be above zero."))
        if shipment.cod_not_collected_at is not None:
            raise ShippingError(
                _("Parcel %(parcel)s came back to the shop: its COD was not collected.")
                % {"parcel": shipment}
            )
        try:
            payment = order_payment_record(
                order_id=shipment.order_id,
                kind=PaymentKind.COD_COLLECTED,
                amount=amount,
                method=PaymentMethod.COD,
                user_id=user_id,
                paid_at=day_start(received_on),
                reference=shipment.tracking_number or shipment.reference,
                now=now,
            )
        except OrderError as error:
            raise ShippingError(str(error)) from error
        receipt = CodReceipt.objects.create(
            shipment=shipment,
            amount=payment.amount,
            fee=fee,
            received_on=received_on,
            statement_id=statement_id,
            payment=payment,
            created_by_id=user_id,
            created_at=now,
        )
        shipment.cod_received_at = now
        shipment.cod_received_amount = payment.amount
        shipment.updated_at = now
        shipment.save(update_fields=["cod_received_at", "cod_received_amount", "updated_at"])
        order_complete_if_settled(shipment_id=shipment.pk, user_id=user_id)
    return receipt


def order_complete_if_settled(*, shipment_id: int, user_id: int | None) -> bool:
    """Complete the parcel's order when the parcel is delivered and the order fully paid."""
    shipment = Shipment.objects.get(pk=shipment_id)
    if shipment.state != ShipmentState.DELIVERED:
        return False
    order = Order.objects.filter(pk=shipment.order_id).first()
    if order is None or order.status != t.SHIPPED or order.paid_amount < order.total:
        return False
    try:
        order_complete(order_id=order.pk, user_id=user_id, amount=Decimal(0))
    except OrderError:
        return False  # moved meanwhile (returned, completed by hand): nothing to do
    return True
