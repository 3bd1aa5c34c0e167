"""Stock counts (stocktakes): snapshot, count by scanning or typing, post variances.

Rules decided here (the pages and tests follow them):

Scope of the snapshot. A count covers one warehouse, optionally some categories (each with all
its subcategories). Lines are taken in one SELECT, so every `expected` comes from the same
moment:
  - every variant with a stock level in the warehouse that is active (variant and product) or
    still holds units there (an inactive variant's stock must be counted too);
  - when categories are chosen, only variants in them, plus every active variant in them that
    has never been stocked in this warehouse (expected 0), so goods found on the shelf have a line.
  A whole-warehouse count does not list the catalogue's never-stocked variants (a branch with a
  few hundred SKUs would get tens of thousands of empty lines); scanning one adds it.
Overlapping counts. Two open counts of one warehouse may not cover the same categories: each
  applies its variance as a delta, so counting a shelf twice would correct it twice.
Scanning. A barcode (exact) or SKU (any case) adds units to that line's counted quantity. A
  variant that is not in the snapshot is added as a new line with expected = its on_hand in the
  warehouse now, unless the count is limited to categories that do not include it (refused with
  a message: it belongs to another count).
Variance. counted - expected per counted line; its value is variance x unit_cost (the variant's
  cost when the line was made), rounded to the shop currency. Lines never counted are "not
  counted" and left alone when posting, unless the poster ticks "treat uncounted as zero": then
  they are set to counted = 0 and their whole expected quantity is removed.
Posting. One transaction: the count moves open -> posted with a conditional UPDATE (two posts
  of one count apply once), then one `count` movement per line with a non-zero variance, applied
  as a delta to the current on_hand so that sales between snapshot and posting stay. If a delta
  would leave on_hand below what is reserved (or below zero), the whole post is refused and
  nothing changes. A posted or cancelled count is read-only: every service here refuses it.
Concurrency. Scans and typed quantities lock the count row (FOR NO KEY UPDATE) before changing
  a line, and posting takes the same lock, so a scan either lands before the post reads the
  lines or is refused after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, FilteredRelation, Q, Value
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.errors import DocumentStateError, InsufficientStock, InventoryError
from inventory.models import (
    Category,
    MovementKind,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    Variant,
    Warehouse,
)
from inventory.selectors.catalogue import category_descendant_ids
from inventory.services.sequences import sequence_next
from inventory.services.stock import Source, StockChange, stock_apply

SOURCE_TYPE = "stock_count"
MAX_COUNTED = 10_000_000
BATCH_SIZE = 5000


class CountError(InventoryError):
    """A count cannot be started, or a scanned code cannot be counted."""


class CountPostRefused(InventoryError):
    """Posting would take a variant's on_hand below its reserved units; nothing was posted."""

    def __init__(self, *, number: str, error: InsufficientStock) -> None:
        self.sku = error.sku
        self.warehouse = error.warehouse
        super().__init__(
            _(
                "Count %(number)s was not posted: removing %(requested)d of %(sku)s in "
                "%(warehouse)s would leave less than is reserved for orders (%(available)d "
                "available now). Ship or release those orders, or recount %(sku)s. "
                "Nothing was changed."
            )
            % {
                "number": number,
                "requested": error.requested,
                "sku": error.sku,
                "warehouse": error.warehouse,
                "available": error.available,
            }
        )


@dataclass(frozen=True)
class ScanResult:
    line: StockCountLine
    added: bool  # the variant was not in the snapshot and got a new line
    quantity: int


# --- Scope ------------------------------------------------------------------------------------


def count_scope_ids(*, category_ids: Iterable[int]) -> set[int] | None:
    """The chosen categories with all their subcategories; None means the whole warehouse."""
    found: set[int] = set()
    for category_id in category_ids:
        found.update(category_descendant_ids(category_id=category_id))
    return found or None


def _active() -> Q:
    return Q(is_active=True, product__is_active=True)


def _snapshot_rows(*, warehouse_id: int, scope: set[int] | None) -> list[tuple[int, int, object]]:
    variants = Variant.objects.annotate(
        here=FilteredRelation("stock_levels", condition=Q(stock_levels__warehouse_id=warehouse_id))
    )
    holds_units = Q(here__on_hand__gt=0)
    if scope is None:
        variants = variants.filter(Q(here__isnull=False) & (_active() | holds_units))
    else:
        variants = variants.filter(product__category_id__in=scope).filter(_active() | holds_units)
    return list(
        variants.annotate(expected=Coalesce(F("here__on_hand"), Value(0)))
        .order_by("sku", "pk")
        .values_list("pk", "expected", "cost_price")
    )


def _overlapping_open_count(*, warehouse_id: int, scope: set[int] | None) -> StockCount | None:
    open_counts = (
        StockCount.objects.filter(warehouse_id=warehouse_id, status=StockCount.Status.OPEN)
        .prefetch_related("categories")
        .order_by("pk")
    )
    for other in open_counts:
        other_scope = count_scope_ids(category_ids=[c.pk for c in other.categories.all()])
        if scope is None or other_scope is None or scope & other_scope:
            return other
    return None


# --- Start and cancel ---------------------------------------------------------------------------


def count_start(
    *,
    warehouse_id: int,
    category_ids: Sequence[int] = (),
    notes: str = "",
    user_id: int | None = None,
) -> StockCount:
    """Open a count and snapshot its lines (expected = on_hand now, unit cost = variant cost)."""
    with transaction.atomic():
        # One count start per warehouse at a time, so two overlapping counts cannot both open.
        # NO KEY UPDATE: stock movements (which only reference the warehouse) are not blocked.
        warehouse = Warehouse.objects.select_for_update(no_key=True).filter(pk=warehouse_id).first()
        if warehouse is None or not warehouse.is_active:
            raise CountError(_("Choose an active warehouse."))
        category_ids = sorted(set(category_ids))
        if len(category_ids) != Category.objects.filter(pk__in=category_ids).count():
            raise CountError(_("A chosen category no longer exists."))
        scope = count_scope_ids(category_ids=category_ids)
        other = _overlapping_open_count(warehouse_id=warehouse.pk, scope=scope)
        if other is not None:
            raise CountError(
                _(
                    "Count %(number)s of %(warehouse)s is still open and covers some of the "
                    "same products. Post or cancel it first, or choose other categories."
                )
                % {"number": other.number, "warehouse": warehouse.code}
            )
        count = StockCount.objects.create(
            number=sequence_next(prefix="SC"),
            warehouse=warehouse,
            notes=notes.strip(),
            created_by_id=user_id,
        )
        if category_ids:
            count.categories.set(category_ids)
        StockCountLine.objects.bulk_create(
            (
                StockCountLine(count=count, variant_id=pk, expected=expected, unit_cost=cost)
                for pk, expected, cost in _snapshot_rows(warehouse_id=warehouse.pk, scope=scope)
            ),
            batch_size=BATCH_SIZE,
        )
    return count


def _lock_open(count_id: int) -> StockCount:
    """The count, locked against a concurrent post; DocumentStateError unless it is open."""
    count = (
        StockCount.objects.select_for_update(no_key=True)
        .select_related("warehouse")
        .filter(pk=count_id)
        .first()
    )
    if count is None:
        raise StockCount.DoesNotExist(f"stock count {count_id} does not exist")
    if count.status != StockCount.Status.OPEN:
        raise _closed(count.number, count.status)
    return count


def _closed(number: str, status: str) -> DocumentStateError:
    return DocumentStateError(
        _("Count %(number)s is “%(status)s” and can no longer be changed.")
        % {"number": number, "status": StockCount.Status(status).label}
    )


def count_cancel(*, count_id: int) -> StockCount:
    """Drop an open count; no stock moves."""
    with transaction.atomic():
        updated = StockCount.objects.filter(pk=count_id, status=StockCount.Status.OPEN).update(
            status=StockCount.Status.CANCELLED
        )
        count = StockCount.objects.get(pk=count_id)
        if not updated:
            raise _closed(count.number, count.status)
    return count


# --- Counting ---------------------------------------------------------------------------------


def variant_by_code(*, code: str) -> Variant | None:
    """The variant with this barcode (exact) or, failing that, this SKU (any case)."""
    code = code.strip()
    if not code:
        return None
    qs = Variant.objects.select_related("product")
    return (
        qs.filter(barcode=code).order_by("pk").first()
        or qs.annotate(sku_upper=Upper("sku")).filter(sku_upper=code.upper()).order_by("pk").first()
    )


def _line(line_id: int) -> StockCountLine:
    return StockCountLine.objects.select_related("variant__product").get(pk=line_id)


def count_scan(*, count_id: int, code: str, quantity: int = 1) -> ScanResult:
    """Add `quantity` units of the variant with this barcode or SKU to the count."""
    if quantity < 1 or quantity > MAX_COUNTED:
        raise CountError(_("Count between 1 and %(max)d units at a time.") % {"max": MAX_COUNTED})
    code = code.strip()
    if not code:
        raise CountError(_("Scan or type a barcode or SKU."))
    with transaction.atomic():
        count = _lock_open(count_id)
        variant = variant_by_code(code=code)
        if variant is None:
            raise CountError(_("No product has the barcode or SKU “%(code)s”.") % {"code": code})
        lines = StockCountLine.objects.filter(count_id=count.pk, variant_id=variant.pk)
        line_id = lines.values_list("pk", flat=True).first()
        if line_id is not None:
            updated = lines.filter(
                Q(counted__isnull=True) | Q(counted__lte=MAX_COUNTED - quantity)
            ).update(counted=Coalesce(F("counted"), Value(0)) + quantity)
            if not updated:
                raise CountError(
                    _("%(sku)s would exceed %(max)d counted units.")
                    % {"sku": variant.sku, "max": MAX_COUNTED}
                )
            return ScanResult(line=_line(line_id), added=False, quantity=quantity)
        scope = count_scope_ids(category_ids=count.categories.values_list("pk", flat=True))
        if scope is not None and variant.product.category_id not in scope:
            raise CountError(
                _(
                    "%(sku)s is not in the categories of count %(number)s; count it in a "
                    "count of its own category."
                )
                % {"sku": variant.sku, "number": count.number}
            )
        on_hand = (
            StockLevel.objects.filter(variant_id=variant.pk, warehouse_id=count.warehouse_id)
            .values_list("on_hand", flat=True)
            .first()
        )
        created = StockCountLine.objects.create(
            count=count,
            variant=variant,
            expected=on_hand or 0,
            counted=quantity,
            unit_cost=variant.cost_price,
        )
        return ScanResult(line=_line(created.pk), added=True, quantity=quantity)


def count_line_set(*, count_id: int, line_id: int, counted: int | None) -> StockCountLine:
    """Type the counted quantity of a line; None clears it back to "not counted"."""
    if counted is not None and not 0 <= counted <= MAX_COUNTED:
        raise CountError(_("Enter a counted quantity from 0 to %(max)d.") % {"max": MAX_COUNTED})
    with transaction.atomic():
        count = _lock_open(count_id)
        updated = StockCountLine.objects.filter(pk=line_id, count_id=count.pk).update(
            counted=counted
        )
        if not updated:
            raise StockCountLine.DoesNotExist(f"line {line_id} is not on count {count_id}")
        return _line(line_id)


# --- Posting ----------------------------------------------------------------------------------


def count_post(
    *,
    count_id: int,
    user_id: int | None = None,
    uncounted_as_zero: bool = False,
    now: datetime | None = None,
) -> list[StockMovement]:
    """Apply every non-zero variance as a `count` movement; the count becomes read-only.

    Returns the movements made. Raises DocumentStateError when the count is not open (e.g. it
    was just posted by someone else) and CountPostRefused when a line would take on_hand below
    reserved; in both cases nothing changes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        updated = StockCount.objects.filter(pk=count_id, status=StockCount.Status.OPEN).update(
            status=StockCount.Status.POSTED, posted_at=now, posted_by_id=user_id
        )
        count = StockCount.objects.get(pk=count_id)
        if not updated:
            raise _closed(count.number, count.status)
        lines = StockCountLine.objects.filter(count_id=count.pk)
        if uncounted_as_zero:
            lines.filter(counted__isnull=True).update(counted=0)
        variances = list(
            lines.filter(counted__isnull=False)
            .exclude(counted=F("expected"))
            .annotate(delta=F("counted") - F("expected"))
            .order_by("pk")
            .values_list("variant_id", "delta")
        )
        try:
            return stock_apply(
                changes=[
                    StockChange.adjust(
                        variant_id,
                        count.warehouse_id,
                        delta,
                        reason_code="count",  # "Count SC000001", worded when shown
                        kind=MovementKind.COUNT,
                    )
                    for variant_id, delta in variances
                ],
                user_id=user_id,
                source=Source(SOURCE_TYPE, str(count.pk), count.number),
                now=now,
            )
        except InsufficientStock as error:
            raise CountPostRefused(number=count.number, error=error) from error
