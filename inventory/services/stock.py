"""The only code that changes stock. Each change is one conditional UPDATE of the stock level
plus its ledger row, in one transaction; a batch locks its rows in (variant, warehouse) order so
that two batches cannot deadlock, and is applied all or nothing.

The UPDATE's WHERE clause is the invariant itself (on_hand >= 0, reserved >= 0,
reserved <= on_hand after the change), so two channels selling the last unit at the same moment
cannot both win: PostgreSQL re-checks the condition on the row the first one committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.errors import InsufficientStock, InvalidStockOperation
from inventory.models import MovementKind, StockLevel, StockMovement, Variant, Warehouse
from inventory.signals import stock_changed


@dataclass(frozen=True)
class Source:
    """The document a movement belongs to, e.g. Source("order", "1042", "SO-1042")."""

    type: str
    id: str
    label: str = ""


@dataclass(frozen=True)
class StockChange:
    variant_id: int
    warehouse_id: int
    kind: str
    on_hand_delta: int = 0
    reserved_delta: int = 0
    unit_cost: Decimal | None = None
    reason: str = ""  # what staff typed
    # Or why a service moved it: a key of models.MOVEMENT_REASONS and its values, worded in
    # the reader's language when shown.
    reason_code: str = ""
    reason_args: tuple[tuple[str, str], ...] = ()
    sort_key: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.on_hand_delta == 0 and self.reserved_delta == 0:
            raise InvalidStockOperation(_("A stock change must change something."))
        object.__setattr__(self, "sort_key", (self.variant_id, self.warehouse_id))

    # Constructors for each kind of movement; quantities are positive numbers of units.
    @classmethod
    def reserve(cls, variant_id: int, warehouse_id: int, quantity: int) -> StockChange:
        return cls(variant_id, warehouse_id, MovementKind.RESERVATION, 0, _positive(quantity))

    @classmethod
    def release(cls, variant_id: int, warehouse_id: int, quantity: int) -> StockChange:
        return cls(variant_id, warehouse_id, MovementKind.RELEASE, 0, -_positive(quantity))

    @classmethod
    def ship(
        cls, variant_id: int, warehouse_id: int, quantity: int, *, from_reserved: bool = True
    ) -> StockChange:
        q = _positive(quantity)
        return cls(variant_id, warehouse_id, MovementKind.SHIPMENT, -q, -q if from_reserved else 0)

    @classmethod
    def receive(
        cls,
        variant_id: int,
        warehouse_id: int,
        quantity: int,
        *,
        unit_cost: Decimal | None = None,
        kind: str = MovementKind.RECEIPT,
    ) -> StockChange:
        if kind not in (MovementKind.RECEIPT, MovementKind.INITIAL, MovementKind.TRANSFER_IN):
            raise InvalidStockOperation(f"receive() cannot record {kind}")
        return cls(variant_id, warehouse_id, kind, _positive(quantity), 0, unit_cost)

    @classmethod
    def restock(cls, variant_id: int, warehouse_id: int, quantity: int) -> StockChange:
        return cls(variant_id, warehouse_id, MovementKind.RETURN, _positive(quantity))

    @classmethod
    def write_off(
        cls,
        variant_id: int,
        warehouse_id: int,
        quantity: int,
        *,
        reason: str = "",
        reason_code: str = "",
        reason_args: tuple[tuple[str, str], ...] = (),
    ) -> StockChange:
        q = _positive(quantity)
        return cls(
            variant_id,
            warehouse_id,
            MovementKind.DAMAGE,
            -q,
            reason=reason,
            reason_code=reason_code,
            reason_args=reason_args,
        )

    @classmethod
    def transfer_out(cls, variant_id: int, warehouse_id: int, quantity: int) -> StockChange:
        return cls(variant_id, warehouse_id, MovementKind.TRANSFER_OUT, -_positive(quantity))

    @classmethod
    def adjust(
        cls,
        variant_id: int,
        warehouse_id: int,
        delta: int,
        *,
        reason: str = "",
        reason_code: str = "",
        kind: str = MovementKind.ADJUSTMENT,
    ) -> StockChange:
        if kind not in (MovementKind.ADJUSTMENT, MovementKind.COUNT):
            raise InvalidStockOperation(f"adjust() cannot record {kind}")
        if kind == MovementKind.ADJUSTMENT and not (reason.strip() or reason_code):
            raise InvalidStockOperation(_("A manual adjustment needs a reason."))
        return cls(variant_id, warehouse_id, kind, delta, reason=reason, reason_code=reason_code)


def _positive(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise InvalidStockOperation(_("The quantity must be a whole number above zero."))
    return quantity


_UPDATE_SQL = (
    "UPDATE inventory_stocklevel "
    "SET on_hand = on_hand + %(dh)s, reserved = reserved + %(dr)s, updated_at = %(now)s "
    "WHERE variant_id = %(v)s AND warehouse_id = %(w)s "
    "AND on_hand + %(dh)s >= 0 AND reserved + %(dr)s >= 0 "
    "AND reserved + %(dr)s <= on_hand + %(dh)s "
    "RETURNING on_hand, reserved"
)


def _ensure_level(variant_id: int, warehouse_id: int) -> None:
    StockLevel.objects.get_or_create(variant_id=variant_id, warehouse_id=warehouse_id)


def _refuse(change: StockChange) -> InvalidStockOperation | InsufficientStock:
    """Explain why the conditional UPDATE matched no row."""
    level = (
        StockLevel.objects.filter(variant_id=change.variant_id, warehouse_id=change.warehouse_id)
        .values("on_hand", "reserved")
        .first()
    ) or {"on_hand": 0, "reserved": 0}
    sku = Variant.objects.filter(pk=change.variant_id).values_list("sku", flat=True).first()
    code = Warehouse.objects.filter(pk=change.warehouse_id).values_list("code", flat=True).first()
    if level["reserved"] + change.reserved_delta < 0:
        return InvalidStockOperation(
            _(
                "Cannot release %(requested)d of %(sku)s in %(warehouse)s: "
                "only %(reserved)d reserved."
            )
            % {
                "requested": -change.reserved_delta,
                "sku": sku,
                "warehouse": code,
                "reserved": level["reserved"],
            }
        )
    # What the change takes out of the available quantity.
    requested = change.reserved_delta - change.on_hand_delta
    return InsufficientStock(
        sku=sku or str(change.variant_id),
        warehouse=code or str(change.warehouse_id),
        requested=requested,
        available=level["on_hand"] - level["reserved"],
    )


def _apply_one(
    change: StockChange, *, user_id: int | None, source: Source | None, now: datetime
) -> StockMovement:
    params: dict[str, int | datetime] = {
        "dh": change.on_hand_delta,
        "dr": change.reserved_delta,
        "now": now,
        "v": change.variant_id,
        "w": change.warehouse_id,
    }
    if change.on_hand_delta > 0 and change.reserved_delta >= 0:
        _ensure_level(change.variant_id, change.warehouse_id)
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        raise _refuse(change)
    on_hand_after, reserved_after = row
    return StockMovement(
        variant_id=change.variant_id,
        warehouse_id=change.warehouse_id,
        kind=change.kind,
        on_hand_delta=change.on_hand_delta,
        reserved_delta=change.reserved_delta,
        on_hand_after=on_hand_after,
        reserved_after=reserved_after,
        unit_cost=change.unit_cost,
        reason=change.reason[:255],
        reason_code=change.reason_code,
        reason_args=dict(change.reason_args),
        source_type=source.type if source else "",
        source_id=str(source.id) if source else "",
        source_label=source.label if source else "",
        created_by_id=user_id,
        created_at=now,
    )


def stock_apply(
    *,
    changes: Sequence[StockChange],
    user_id: int | None = None,
    source: Source | None = None,
    now: datetime | None = None,
) -> list[StockMovement]:
    """Apply the changes all or nothing; return their ledger rows in the order given.

    Raises InsufficientStock / InvalidStockOperation (nothing is changed then).
    """
    if not changes:
        return []
    now = now or timezone.now()
    order = sorted(range(len(changes)), key=lambda i: changes[i].sort_key)
    movements: list[StockMovement | None] = [None] * len(changes)
    with transaction.atomic():
        for i in order:
            movements[i] = _apply_one(changes[i], user_id=user_id, source=source, now=now)
        created = StockMovement.objects.bulk_create([m for m in movements if m is not None])
        touched = sorted({c.sort_key for c in changes})
        transaction.on_commit(lambda: stock_changed.send(sender=StockLevel, changes=touched))
    return created


# Single-change conveniences for callers that move one line.


def stock_reserve(
    *,
    variant_id: int,
    warehouse_id: int,
    quantity: int,
    user_id: int | None = None,
    source: Source | None = None,
) -> StockMovement:
    change = StockChange.reserve(variant_id, warehouse_id, quantity)
    return stock_apply(changes=[change], user_id=user_id, source=source)[0]


def stock_release(
    *,
    variant_id: int,
    warehouse_id: int,
    quantity: int,
    user_id: int | None = None,
    source: Source | None = None,
) -> StockMovement:
    change = StockChange.release(variant_id, warehouse_id, quantity)
    return stock_apply(changes=[change], user_id=user_id, source=source)[0]


def stock_deduct(
    *,
    variant_id: int,
    warehouse_id: int,
    quantity: int,
    from_reserved: bool = True,
    user_id: int | None = None,
    source: Source | None = None,
) -> StockMovement:
    change = StockChange.ship(variant_id, warehouse_id, quantity, from_reserved=from_reserved)
    return stock_apply(changes=[change], user_id=user_id, source=source)[0]


def stock_restock(
    *,
    variant_id: int,
    warehouse_id: int,
    quantity: int,
    user_id: int | None = None,
    source: Source | None = None,
) -> StockMovement:
    change = StockChange.restock(variant_id, warehouse_id, quantity)
    return stock_apply(changes=[change], user_id=user_id, source=source)[0]


def stock_write_off(
    *,
    variant_id: int,
    warehouse_id: int,
    quantity: int,
    reason: str = "",
    user_id: int | None = None,
    source: Source | None = None,
) -> StockMovement:
    change = StockChange.write_off(variant_id, warehouse_id, quantity, reason=reason)
    return stock_apply(changes=[change], user_id=user_id, source=source)[0]


def stock_adjust(
    *,
    variant_id: int,
    warehouse_id: int,
    delta: int,
    reason: str,
    user_id: int | None = None,
    source: Source | None = None,
) -> StockMovement:
    """A manual correction with a reason (positive or negative, never below reserved)."""
    change = StockChange.adjust(variant_id, warehouse_id, delta, reason=reason)
    return stock_apply(changes=[change], user_id=user_id, source=source)[0]


def stock_receive(
    *,
    variant_id: int,
    warehouse_id: int,
    quantity: int,
    unit_cost: Decimal | None = None,
    initial: bool = False,
    user_id: int | None = None,
    source: Source | None = None,
) -> StockMovement:
    kind = MovementKind.INITIAL if initial else MovementKind.RECEIPT
    change = StockChange.receive(variant_id, warehouse_id, quantity, unit_cost=unit_cost, kind=kind)
    return stock_apply(changes=[change], user_id=user_id, source=source)[0]
