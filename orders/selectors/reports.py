"""Sales reports: best sellers, top customers, sales by channel and period, shaped and rounded
here; what they count is in orders.selectors.report_scope, the sums from the order lines or the
sales rollup in orders.selectors.report_sums.

How figures are counted
  A sale counts when its order was shipped (shipped_at set) and not cancelled. The period
  filters on the order's created_at in shop-local days: date_from and date_to are inclusive
  (default: the last 30 days including today). Only orders in the report's currency count
  (the shop currency), so amounts are never added across currencies.

  Per order line:
    units sold         = quantity_shipped - quantity_returned
    order discount     = line_total x discount_total / subtotal       (0 when subtotal is 0)
    net revenue        = (line_total - its share of the order discount) x units sold / quantity
                         (VAT included)
    VAT                = vat_amount x units sold / quantity
    revenue excl. VAT  = net revenue - VAT
    cost               = unit_cost x units sold        (the variant cost, VAT excluded, when
                                                        the goods left)
    profit             = revenue excl. VAT - cost;  margin % = profit / revenue excl. VAT
  Shipping fees are not product revenue: "sales by channel" shows them in their own column.
  Top customers count as the customer list and page do (orders.services.customers): orders =
  the orders of the period that were not cancelled, shipped or not; net revenue = over those
  that were shipped, the totals (shipping included) minus their refunds (an order returned
  entirely: what was paid minus refunds); average order value = net revenue / shipped orders.

  Every sum is computed by PostgreSQL in NUMERIC (no float anywhere), over per-line figures
  kept to 6 decimals (the rollup's; unrounded when read from the lines); each figure shown is
  then rounded once to the currency's precision (half up), and the derived figures are taken
  from the rounded ones (revenue excl. VAT = net revenue - VAT, profit = revenue excl. VAT -
  cost) so that every row adds up as printed. Totals rows are the sums of the rows shown.

How it stays fast at millions of orders
  Best sellers and sales by channel read the sales rollup (orders.models SalesDay, SalesMonth,
  SalesDayChannel; kept by orders.services.sales_rollup in the transaction of every shipment
  and return, from the same per-line figures rounded to 6 decimals), not the order lines: the
  period is a range of rollup days, a long period without channel or warehouse filter reads
  its months from SalesMonth (one it fills in part: whole minus the days outside, when those
  are fewer), the category goes through variant -> product. The sums
  are taken, sorted and cut to the top 100 in the database; names are read for those 100 only.
  The rollup's days are the shop's (settings.TIME_ZONE): a report asked in another time zone
  is computed from the orders and their lines as before (the created_at index bounds the
  orders of the period, their lines are joined and aggregated the same way).
  Grouped by variant and sorted by units or net revenue, only the variants that can reach the
  top 100 are summed: those among the first of each month the period touches (SalesMonth, a
  bound since no line's units or net revenue are negative; orders.selectors.report_best).
  Top customers read the customer rollup (CustomerSalesDay, CustomerSalesMonth; recomputed per
  customer by customer_totals_refresh under the customer's lock) when asked in the shop's
  time zone without channel or warehouse, summing only the customers whose bound reaches the
  100th best: their window of 2 or 13 months holding the period (CustomerSalesWindow), or
  their CustomerSalesTotal for a long period in neither (orders.selectors.report_customers);
  otherwise they start from the orders of the period through the created_at index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from common.money import quantize
from common.phones import format_phone
from inventory.models import Product, Variant
from orders.models import (
    Channel,
)
from orders.selectors.report_best import best_sellers_from_rollup
from orders.selectors.report_customers import (
    customer_people,
    customer_rollup_serves,
    top_customers_from_orders,
    top_customers_from_rollup,
)
from orders.selectors.report_scope import (
    BEST_SELLER_GROUPS,
    BEST_SELLER_SORTS,
    CUSTOMER_SORTS,
    DAY,
    GROUP_VARIANT,
    MONTH,
    SALES_GROUPS,
    SORT_PROFIT,
    SORT_REVENUE,
    SORT_UNITS,
    WEEK,
    ZERO,
    ReportFilters,
    rollup_serves,
    sum_decimal,
)
from orders.selectors.report_sums import (
    best_sellers_from_lines,
    sales_cells_from_orders,
    sales_cells_from_rollup,
)
from orders.services.orders.lines import variant_display_name

_PERCENT = Decimal("0.1")


def margin_percent(profit: Decimal, revenue_ex_vat: Decimal) -> Decimal | None:
    """Profit as a percentage of revenue excl. VAT, one decimal; None without revenue."""
    if not revenue_ex_vat:
        return None
    return (profit * 100 / revenue_ex_vat).quantize(_PERCENT, rounding=ROUND_HALF_UP)


# --- Best sellers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SalesFigures:
    """Rounded product figures; revenue excl. VAT and profit derived from the rounded ones.
    Cost, profit and margin are None in a report made without costs."""

    units: int
    net_revenue: Decimal
    vat: Decimal
    cost: Decimal | None

    @property
    def revenue_ex_vat(self) -> Decimal:
        return self.net_revenue - self.vat

    @property
    def profit(self) -> Decimal | None:
        return None if self.cost is None else self.revenue_ex_vat - self.cost

    @property
    def margin(self) -> Decimal | None:
        profit = self.profit
        return None if profit is None else margin_percent(profit, self.revenue_ex_vat)


@dataclass(frozen=True)
class BestSellerRow:
    key: int  # the variant id (grouped by variant) or the product id (by product)
    sku: str  # "" when grouped by product
    name: str  # product name with the variant's options
    category: str
    figures: SalesFigures
    product_id: int | None = None


@dataclass(frozen=True)
class BestSellers:
    filters: ReportFilters
    group: str
    sort: str
    rows: tuple[BestSellerRow, ...]
    with_costs: bool = True


def best_sellers(
    *,
    filters: ReportFilters,
    with_costs: bool,
    group: str = GROUP_VARIANT,
    sort: str = SORT_UNITS,
) -> BestSellers:
    """The top 100 variants (or products) of the period by units, net revenue or profit;
    those whose net units are 0 (sold, then all returned) are left out.

    Without `with_costs` (a user who may not see costs) the rows have no cost, profit or
    margin, and sorting by profit is refused.

    Two queries: the aggregate (from the rollup; from the period's lines in another time zone),
    sorted and cut to 100 in SQL, then the names of those 100 (a third one reads the category
    tree when a category is chosen).
    """
    if group not in BEST_SELLER_GROUPS:
        raise ValueError(f"unknown group {group!r}")
    if sort not in BEST_SELLER_SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    if sort == SORT_PROFIT and not with_costs:
        raise ValueError("sorting by profit needs the costs")
    if rollup_serves():
        aggregated = best_sellers_from_rollup(filters, group=group, sort=sort)
    else:
        aggregated = best_sellers_from_lines(filters, group=group, sort=sort)
    keys = [row["key"] for row in aggregated]
    names = _variant_names(keys) if group == GROUP_VARIANT else _product_names(keys)
    currency = filters.currency
    rows = []
    for row in aggregated:
        sku, name, category, product_id = names.get(row["key"], ("", "", "", None))
        rows.append(
            BestSellerRow(
                key=row["key"],
                sku=sku,
                name=name,
                category=category,
                product_id=product_id,
                figures=SalesFigures(
                    units=int(row["units"] or 0),
                    net_revenue=quantize(sum_decimal(row["net_revenue"]), currency),
                    vat=quantize(sum_decimal(row["vat"]), currency),
                    cost=quantize(sum_decimal(row["cost"]), currency) if with_costs else None,
                ),
            )
        )
    return BestSellers(
        filters=filters, group=group, sort=sort, rows=tuple(rows), with_costs=with_costs
    )


def _variant_names(ids: Sequence[int]) -> dict[int, tuple[str, str, str, int | None]]:
    """sku, display name, category and product of each variant: only those columns (a report
    lists 100 variants; whole models with their product and category cost more than the
    query)."""
    if not ids:
        return {}
    rows = Variant.objects.filter(pk__in=ids).values_list(
        "pk",
        "sku",
        "option1",
        "option2",
        "option3",
        "product_id",
        "product__name",
        "product__category__full_name",
        "product__category__name",
    )
    return {
        pk: (
            sku,
            variant_display_name(name, [o for o in (o1, o2, o3) if o]),
            (full_name or category_name or ""),
            product_id,
        )
        for pk, sku, o1, o2, o3, product_id, name, full_name, category_name in rows
    }


def _product_names(ids: Sequence[int]) -> dict[int, tuple[str, str, str, int | None]]:
    if not ids:
        return {}
    products = Product.objects.filter(pk__in=ids).select_related("category")
    return {p.pk: ("", p.name, str(p.category) if p.category else "", p.pk) for p in products}


# --- Top customers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TopCustomerRow:
    customer_id: int
    name: str
    company: str
    phone: str
    orders: int  # not cancelled, shipped or not
    net_revenue: Decimal
    last_order_at: datetime
    currency: str
    shipped_orders: int = 0  # those of `orders` whose revenue counts

    @property
    def average_order(self) -> Decimal:
        """Net revenue per shipped order, rounded to the currency's precision."""
        shipped = self.shipped_orders
        return quantize(self.net_revenue / shipped if shipped else ZERO, self.currency)


@dataclass(frozen=True)
class TopCustomers:
    filters: ReportFilters
    sort: str
    rows: tuple[TopCustomerRow, ...]


def top_customers(*, filters: ReportFilters, sort: str = SORT_REVENUE) -> TopCustomers:
    """The 100 customers with the most net revenue (or orders) in the period, counted as the
    customer pages count (orders.services.customers: CUSTOMER_ORDER, CUSTOMER_SALE): two
    queries, the sums (from the customer rollup when it serves, else from the orders) and the
    names (with each one's last order in the period, when the rollup gave the sums)."""
    if sort not in CUSTOMER_SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    from_rollup = customer_rollup_serves(filters)
    if from_rollup:
        aggregated = top_customers_from_rollup(filters, sort=sort)
    else:
        aggregated = top_customers_from_orders(filters, sort=sort)
    people = customer_people(
        filters, [row["customer_id"] for row in aggregated], last_order=from_rollup
    )
    currency = filters.currency
    rows = []
    for row in aggregated:
        person = people.get(row["customer_id"], {})
        rows.append(
            TopCustomerRow(
                customer_id=row["customer_id"],
                name=person.get("name", ""),
                company=person.get("company", ""),
                phone=format_phone(person.get("phone")),
                orders=int(row["orders"]),
                net_revenue=quantize(sum_decimal(row["net_revenue"]), currency),
                last_order_at=row.get("last_order_at") or person["last_order_at"],
                currency=currency,
                shipped_orders=int(row["shipped_orders"]),
            )
        )
    return TopCustomers(filters=filters, sort=sort, rows=tuple(rows))


# --- Sales by channel and period --------------------------------------------------------------


@dataclass(frozen=True)
class SalesCell:
    orders: int = 0
    net_revenue: Decimal = ZERO
    shipping_fees: Decimal = ZERO

    def __add__(self, other: SalesCell) -> SalesCell:
        return SalesCell(
            orders=self.orders + other.orders,
            net_revenue=self.net_revenue + other.net_revenue,
            shipping_fees=self.shipping_fees + other.shipping_fees,
        )


@dataclass(frozen=True)
class SalesRow:
    period: date  # the first day of the day / week (Monday) / month
    cells: tuple[SalesCell, ...]  # one per channel, in SalesReport.channels order
    total: SalesCell


@dataclass(frozen=True)
class SalesReport:
    filters: ReportFilters
    group: str
    channels: tuple[tuple[str, str], ...]  # (code, label)
    rows: tuple[SalesRow, ...]
    totals: tuple[SalesCell, ...]  # per channel
    grand_total: SalesCell = field(default_factory=SalesCell)


def period_starts(*, date_from: date, date_to: date, group: str) -> list[date]:
    """The first day of every day / ISO week (Monday) / month that meets the period."""
    if group == DAY:
        start, step = date_from, None
    elif group == WEEK:
        start, step = date_from - timedelta(days=date_from.weekday()), None
    elif group == MONTH:
        start, step = date_from.replace(day=1), "month"
    else:
        raise ValueError(f"unknown group {group!r}")
    starts: list[date] = []
    current = start
    while current <= date_to:
        starts.append(current)
        if step == "month":
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            current += timedelta(days=7 if group == WEEK else 1)
    return starts


def sales_by_channel(*, filters: ReportFilters, group: str = DAY) -> SalesReport:
    """Orders, net revenue of the goods and shipping fees per period and channel: two queries
    (orders and fees from the orders; revenue from their lines), merged here."""
    if group not in SALES_GROUPS:
        raise ValueError(f"unknown group {group!r}")
    if rollup_serves():
        cells = sales_cells_from_rollup(filters, group)
    else:
        cells = sales_cells_from_orders(filters, group)
    currency = filters.currency
    # Only the channels that sold in the period (a rollup day whose orders were all cancelled
    # leaves a row of zeros behind), and the one filtered on.
    present = {
        channel
        for (_period, channel), values in cells.items()
        if any(values.get(key) for key in ("orders", "net_revenue", "shipping_fees"))
    }
    if filters.channel:
        present.add(filters.channel)
    channels = tuple((code, str(label)) for code, label in Channel.choices if code in present)
    rows = []
    for start in period_starts(date_from=filters.date_from, date_to=filters.date_to, group=group):
        row_cells = tuple(_cell(cells.get((start, code)), currency) for code, _label in channels)
        rows.append(SalesRow(period=start, cells=row_cells, total=_sum(row_cells)))
    totals = tuple(_sum(row.cells[i] for row in rows) for i in range(len(channels)))
    return SalesReport(
        filters=filters,
        group=group,
        channels=channels,
        rows=tuple(rows),
        totals=totals,
        grand_total=_sum(totals),
    )


def _cell(values: dict[str, Any] | None, currency: str) -> SalesCell:
    if not values:
        return SalesCell(net_revenue=quantize(0, currency), shipping_fees=quantize(0, currency))
    return SalesCell(
        orders=values.get("orders", 0),
        net_revenue=quantize(values.get("net_revenue", ZERO), currency),
        shipping_fees=quantize(values.get("shipping_fees", ZERO), currency),
    )


def _sum(cells: Iterator[SalesCell] | Sequence[SalesCell]) -> SalesCell:
    total = SalesCell()
    for cell in cells:
        total = total + cell
    return total
