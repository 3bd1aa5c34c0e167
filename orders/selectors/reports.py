"""Sales reports: best sellers, top customers, sales by channel and period.

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
  its whole months from SalesMonth, the category goes through variant -> product. The sums
  are taken, sorted and cut to the top 100 in the database; names are read for those 100 only.
  The rollup's days are the shop's (settings.TIME_ZONE): a report asked in another time zone
  is computed from the orders and their lines as before (the created_at index bounds the
  orders of the period, their lines are joined and aggregated the same way).
  Top customers start from the orders of the period through the created_at index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Trunc
from django.utils import timezone

from common.days import day_start
from common.money import quantize
from common.phones import format_phone
from inventory.models import Product, Variant
from inventory.selectors.catalogue import category_descendant_ids
from orders.models import (
    Channel,
    Customer,
    CustomerPhone,
    Order,
    OrderLine,
    OrderStatus,
    SalesDay,
    SalesDayChannel,
    SalesMonth,
)
from orders.services.customers import CUSTOMER_ORDER, CUSTOMER_SALE, customer_net_revenue
from orders.services.orders.lines import variant_display_name

TOP_ROWS = 100
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366  # the longest period a report covers

GROUP_VARIANT = "variant"
GROUP_PRODUCT = "product"
BEST_SELLER_GROUPS = (GROUP_VARIANT, GROUP_PRODUCT)
SORT_UNITS = "units"
SORT_REVENUE = "revenue"
SORT_PROFIT = "profit"
BEST_SELLER_SORTS = (SORT_UNITS, SORT_REVENUE, SORT_PROFIT)
SORT_ORDERS = "orders"
CUSTOMER_SORTS = (SORT_REVENUE, SORT_ORDERS)
DAY = "day"
WEEK = "week"
MONTH = "month"
SALES_GROUPS = (DAY, WEEK, MONTH)

# Unbounded NUMERIC for the intermediate sums (Django only needs to know it is a decimal).
_NUMERIC = DecimalField(max_digits=65, decimal_places=30)
_ZERO = Decimal(0)
_PERCENT = Decimal("0.1")


# --- Filters and the period -------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """What every report is filtered by; category only applies to best sellers."""

    date_from: date
    date_to: date
    currency: str
    channel: str = ""
    warehouse_id: int | None = None
    category_id: int | None = None


def default_period(*, today: date) -> tuple[date, date]:
    """The last 30 days including today."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def period_bounds(
    *, date_from: date, date_to: date, tz: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """[start, end): shop-local midnight of date_from to shop-local midnight after date_to."""
    return day_start(date_from, tz=tz), day_start(date_to + timedelta(days=1), tz=tz)


def rollup_serves() -> bool:
    """Whether the sales rollup can answer: its days are the shop's (settings.TIME_ZONE); a
    report asked in another time zone has other day boundaries and reads the orders."""
    return timezone.get_current_timezone_name() == settings.TIME_ZONE


def whole_months(
    *, date_from: date, date_to: date
) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The whole months inside [date_from, date_to] as [first month, month after the last) and
    the spans of days left around them (the whole period when it holds no whole month)."""
    start = date_from if date_from.day == 1 else _next_month(date_from)
    stop = (date_to + timedelta(days=1)).replace(day=1)
    if start >= stop:
        return None, [(date_from, date_to)]
    spans = []
    if date_from < start:
        spans.append((date_from, start - timedelta(days=1)))
    if stop <= date_to:
        spans.append((stop, date_to))
    return (start, stop), spans


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _decimal(value: Any) -> Decimal:
    """A sum as read from the database: Decimal on PostgreSQL, possibly a float from raw SQL on
    SQLite (whose numbers are binary), None for no rows."""
    if value is None:
        return _ZERO
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _order_q(filters: ReportFilters, prefix: str = "", *, shipped: bool = True) -> Q:
    """The counted orders of the period, as a condition on Order (prefix "" ) or on a model
    that reaches the order through `prefix` ("order__"); `shipped` False: shipped or not."""
    start, end = period_bounds(date_from=filters.date_from, date_to=filters.date_to)
    condition = Q(
        **{
            f"{prefix}created_at__gte": start,
            f"{prefix}created_at__lt": end,
            f"{prefix}currency": filters.currency,
        }
    ) & ~Q(**{f"{prefix}status": OrderStatus.CANCELLED})
    if shipped:
        condition &= Q(**{f"{prefix}shipped_at__isnull": False})
    if filters.channel:
        condition &= Q(**{f"{prefix}channel": filters.channel})
    if filters.warehouse_id is not None:
        condition &= Q(**{f"{prefix}warehouse_id": filters.warehouse_id})
    return condition


def counted_orders(filters: ReportFilters) -> QuerySet[Order]:
    """The orders whose sales count for the period (see the module docstring)."""
    return Order.objects.filter(_order_q(filters))


def _counted_lines(filters: ReportFilters) -> QuerySet[OrderLine]:
    """The lines of the counted orders, reached from the orders (created_at index, then the
    lines' order_id index).

    The category condition is written on `variant_id + 0`, which no index serves: otherwise
    PostgreSQL may start from the category's variants and read every line they ever had
    (years of sales) before keeping the period's; this way the lines are still reached from
    the period's orders and the category only filters them (a hash semi-join on the few
    thousand variant ids).
    """
    lines = OrderLine.objects.filter(_order_q(filters, "order__"))
    if filters.category_id is not None:
        categories = category_descendant_ids(category_id=filters.category_id)
        in_categories = Variant.objects.filter(product__category_id__in=categories).values("pk")
        lines = lines.alias(
            unindexed_variant_id=ExpressionWrapper(
                F("variant_id") + Value(0), output_field=BigIntegerField()
            )
        ).filter(unindexed_variant_id__in=in_categories)
    return lines


# --- Per-line expressions (unrounded NUMERIC) -------------------------------------------------
#
# Most lines were neither returned nor discounted at order level: for them the figures are the
# stored ones (line_total, vat_amount), and the CASE branches below skip the NUMERIC divisions
# (the general formula gives exactly the same value for them; the shortcut only saves time).


def _quotient(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator, unrounded. SQLite keeps whole amounts as INTEGER and divides two
    integers as integers (7 / 2 = 3, every such line a fraction of a đồng short): there the
    numerator is made REAL first; PostgreSQL divides NUMERIC exactly."""
    if connection.vendor == "sqlite":
        numerator = ExpressionWrapper(numerator * Value(1.0), output_field=FloatField())
    return ExpressionWrapper(numerator / denominator, output_field=_NUMERIC)


def _units() -> Any:
    return F("quantity_shipped") - F("quantity_returned")


def _all_units_sold() -> Q:
    return Q(quantity_returned=0, quantity_shipped=F("quantity"))


def _net_revenue() -> Any:
    """(line_total - line_total x discount_total / subtotal) x units / quantity, written with
    one division: line_total x (subtotal - discount_total) x units / (subtotal x quantity)."""
    return Case(
        When(order__subtotal=0, then=Value(_ZERO)),
        When(_all_units_sold() & Q(order__discount_total=0), then=F("line_total")),
        When(
            order__discount_total=0,
            then=_quotient(F("line_total") * _units(), F("quantity")),
        ),
        default=_quotient(
            F("line_total") * (F("order__subtotal") - F("order__discount_total")) * _units(),
            F("order__subtotal") * F("quantity"),
        ),
        output_field=_NUMERIC,
    )


def _vat() -> Any:
    return Case(
        When(_all_units_sold(), then=F("vat_amount")),
        default=_quotient(F("vat_amount") * _units(), F("quantity")),
        output_field=_NUMERIC,
    )


def _cost() -> Any:
    return ExpressionWrapper(F("unit_cost") * _units(), output_field=_NUMERIC)


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
        aggregated = _best_sellers_from_rollup(filters, group=group, sort=sort)
    else:
        aggregated = _best_sellers_from_lines(filters, group=group, sort=sort)
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
                    net_revenue=quantize(_decimal(row["net_revenue"]), currency),
                    vat=quantize(_decimal(row["vat"]), currency),
                    cost=quantize(_decimal(row["cost"]), currency) if with_costs else None,
                ),
            )
        )
    return BestSellers(
        filters=filters, group=group, sort=sort, rows=tuple(rows), with_costs=with_costs
    )


def _best_sellers_from_lines(
    filters: ReportFilters, *, group: str, sort: str
) -> list[dict[str, Any]]:
    """The top rows aggregated from the period's order lines."""
    key = "variant_id" if group == GROUP_VARIANT else "variant__product_id"
    profit = F("net_revenue") - F("vat") - F("cost")
    order_by = {
        SORT_UNITS: (F("units").desc(), F("net_revenue").desc(), F("key").asc()),
        SORT_REVENUE: (F("net_revenue").desc(), F("units").desc(), F("key").asc()),
        SORT_PROFIT: (profit.desc(), F("units").desc(), F("key").asc()),
    }[sort]
    rows = (
        _counted_lines(filters)
        .values(key=F(key))
        .annotate(
            units=Sum(_units()),
            net_revenue=Sum(_net_revenue()),
            vat=Sum(_vat()),
            cost=Sum(_cost()),
        )
        .exclude(units=0)  # sold and all returned: nothing sold
        .order_by(*order_by)[:TOP_ROWS]
    )
    return [dict(row) for row in rows]


_ROLLUP_ORDER = {
    SORT_UNITS: "units DESC, net_revenue DESC, group_key",
    SORT_REVENUE: "net_revenue DESC, units DESC, group_key",
    SORT_PROFIT: "SUM(x.net_revenue) - SUM(x.vat) - SUM(x.cost) DESC, units DESC, group_key",
}


def _best_sellers_from_rollup(
    filters: ReportFilters, *, group: str, sort: str
) -> list[dict[str, Any]]:
    """The top rows summed from the rollup: SalesDay rows of the period's days, or, without a
    channel or warehouse filter, SalesMonth rows for its whole months and SalesDay rows for the
    days around them. One query."""
    figures = "variant_id, units, net_revenue, vat, cost"
    # The SQL is assembled from constants and model table names; values go as parameters.
    conditions, day_params = ["currency = %s"], list[Any]([filters.currency])
    if filters.channel:
        conditions.append("channel = %s")
        day_params.append(filters.channel)
    if filters.warehouse_id is not None:
        conditions.append("warehouse_id = %s")
        day_params.append(filters.warehouse_id)
    months: tuple[date, date] | None = None
    spans = [(filters.date_from, filters.date_to)]
    if not filters.channel and filters.warehouse_id is None:
        months, spans = whole_months(date_from=filters.date_from, date_to=filters.date_to)
    parts, params = [], list[Any]()
    if spans:
        conditions.append("(" + " OR ".join("(day >= %s AND day <= %s)" for _s in spans) + ")")
        day_sql = " AND ".join(conditions)
        parts.append(f"SELECT {figures} FROM {SalesDay._meta.db_table} WHERE {day_sql}")  # noqa: S608
        params.extend([*day_params, *(day for span in spans for day in span)])
    if months is not None:
        parts.append(
            f"SELECT {figures} FROM {SalesMonth._meta.db_table}"  # noqa: S608
            " WHERE currency = %s AND month >= %s AND month < %s"
        )
        params.extend([filters.currency, *months])
    key, join, where = "x.variant_id", "", ""
    if group == GROUP_PRODUCT or filters.category_id is not None:
        join = f" JOIN {Variant._meta.db_table} v ON v.id = x.variant_id"
        if group == GROUP_PRODUCT:
            key = "v.product_id"
    if filters.category_id is not None:
        categories = category_descendant_ids(category_id=filters.category_id)
        where = (
            f" WHERE v.product_id IN (SELECT id FROM {Product._meta.db_table}"  # noqa: S608
            f" WHERE category_id IN ({', '.join(['%s'] * len(categories))}))"
        )
        params.extend(categories)
    sql = (
        f"SELECT {key} AS group_key, SUM(x.units) AS units, SUM(x.net_revenue) AS net_revenue,"  # noqa: S608
        " SUM(x.vat) AS vat, SUM(x.cost) AS cost"
        f" FROM ({' UNION ALL '.join(parts)}) x{join}{where}"
        f" GROUP BY {key} HAVING SUM(x.units) <> 0"  # sold and all returned: nothing sold
        f" ORDER BY {_ROLLUP_ORDER[sort]} LIMIT {TOP_ROWS}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = ("key", "units", "net_revenue", "vat", "cost")
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _variant_names(ids: Sequence[int]) -> dict[int, tuple[str, str, str, int | None]]:
    if not ids:
        return {}
    variants = Variant.objects.filter(pk__in=ids).select_related("product__category")
    return {
        v.pk: (
            v.sku,
            variant_display_name(v.product.name, v.option_values),
            str(v.product.category) if v.product.category else "",
            v.product_id,
        )
        for v in variants
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
        return quantize(self.net_revenue / shipped if shipped else _ZERO, self.currency)


@dataclass(frozen=True)
class TopCustomers:
    filters: ReportFilters
    sort: str
    rows: tuple[TopCustomerRow, ...]


def top_customers(*, filters: ReportFilters, sort: str = SORT_REVENUE) -> TopCustomers:
    """The 100 customers with the most net revenue (or orders) in the period, counted as the
    customer pages count (orders.services.customers: CUSTOMER_ORDER, CUSTOMER_SALE): two
    queries."""
    if sort not in CUSTOMER_SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    order_by = {
        SORT_REVENUE: ("-net_revenue", "-orders", "customer_id"),
        SORT_ORDERS: ("-orders", "-net_revenue", "customer_id"),
    }[sort]
    aggregated = list(
        Order.objects.filter(_order_q(filters, shipped=False) & CUSTOMER_ORDER)
        .values("customer_id")
        .annotate(
            orders=Count("id"),
            shipped_orders=Count("id", filter=CUSTOMER_SALE),
            net_revenue=Sum(customer_net_revenue(), filter=CUSTOMER_SALE, output_field=_NUMERIC),
            last_order_at=Max("created_at"),
        )
        .order_by(*order_by)[:TOP_ROWS]
    )
    ids = [row["customer_id"] for row in aggregated]
    people: dict[int, dict[str, Any]] = {}
    if ids:
        primary_phone = CustomerPhone.objects.filter(
            customer_id=OuterRef("pk"), is_primary=True
        ).values("e164")[:1]
        people = {
            c["pk"]: dict(c)
            for c in Customer.objects.filter(pk__in=ids)
            .annotate(phone=Subquery(primary_phone))
            .values("pk", "name", "company", "phone")
        }
    currency = filters.currency
    rows = tuple(
        TopCustomerRow(
            customer_id=row["customer_id"],
            name=people.get(row["customer_id"], {}).get("name", ""),
            company=people.get(row["customer_id"], {}).get("company", ""),
            phone=format_phone(people.get(row["customer_id"], {}).get("phone")),
            orders=row["orders"],
            net_revenue=quantize(row["net_revenue"] or _ZERO, currency),
            last_order_at=row["last_order_at"],
            currency=currency,
            shipped_orders=row["shipped_orders"],
        )
        for row in aggregated
    )
    return TopCustomers(filters=filters, sort=sort, rows=rows)


# --- Sales by channel and period --------------------------------------------------------------


@dataclass(frozen=True)
class SalesCell:
    orders: int = 0
    net_revenue: Decimal = _ZERO
    shipping_fees: Decimal = _ZERO

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


def _trunc(field_name: str, group: str) -> Trunc:
    return Trunc(
        field_name, group, output_field=DateField(), tzinfo=timezone.get_current_timezone()
    )


def sales_by_channel(*, filters: ReportFilters, group: str = DAY) -> SalesReport:
    """Orders, net revenue of the goods and shipping fees per period and channel: two queries
    (orders and fees from the orders; revenue from their lines), merged here."""
    if group not in SALES_GROUPS:
        raise ValueError(f"unknown group {group!r}")
    if rollup_serves():
        cells = _sales_cells_from_rollup(filters, group)
    else:
        cells = _sales_cells_from_orders(filters, group)
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


def _sales_cells_from_orders(filters: ReportFilters, group: str) -> dict[tuple[date, str], Any]:
    """(period, channel) -> orders, shipping fees and net revenue, from the orders and their
    lines (two queries)."""
    order_figures = (
        counted_orders(filters)
        .annotate(period=_trunc("created_at", group))
        .values("period", "channel")
        .annotate(orders=Count("id"), shipping_fees=Sum("shipping_fee"))
        .order_by()
    )
    line_figures = (
        _counted_lines(filters)
        .annotate(period=_trunc("order__created_at", group))
        .values("period", channel=F("order__channel"))
        .annotate(net_revenue=Sum(_net_revenue()))
        .order_by()
    )
    cells: dict[tuple[date, str], dict[str, Any]] = {}
    for row in order_figures:
        cell = cells.setdefault((row["period"], row["channel"]), {})
        cell["orders"] = row["orders"]
        cell["shipping_fees"] = row["shipping_fees"] or _ZERO
    for line_row in line_figures:
        cell = cells.setdefault((line_row["period"], line_row["channel"]), {})
        cell["net_revenue"] = line_row["net_revenue"] or _ZERO
    return cells


def _period_start(day: date, group: str) -> date:
    if group == WEEK:
        return day - timedelta(days=day.weekday())
    if group == MONTH:
        return day.replace(day=1)
    return day


def _sales_cells_from_rollup(filters: ReportFilters, group: str) -> dict[tuple[date, str], Any]:
    """The same cells summed from SalesDayChannel (one query; with a category, the net revenue
    of that category's goods comes from SalesDay instead: a second query)."""
    days = Q(day__gte=filters.date_from, day__lte=filters.date_to, currency=filters.currency)
    if filters.channel:
        days &= Q(channel=filters.channel)
    if filters.warehouse_id is not None:
        days &= Q(warehouse_id=filters.warehouse_id)
    cells: dict[tuple[date, str], dict[str, Any]] = {}

    def cell(day: date, channel: str) -> dict[str, Any]:
        return cells.setdefault(
            (_period_start(day, group), channel),
            {"orders": 0, "shipping_fees": _ZERO, "net_revenue": _ZERO},
        )

    by_day = (
        SalesDayChannel.objects.filter(days)
        .values("day", "channel")
        .annotate(
            orders=Sum("orders"), net_revenue=Sum("net_revenue"), shipping_fees=Sum("shipping_fee")
        )
        .order_by()
    )
    for row in by_day:
        values = cell(row["day"], row["channel"])
        values["orders"] += row["orders"]
        values["shipping_fees"] += row["shipping_fees"]
        if filters.category_id is None:
            values["net_revenue"] += row["net_revenue"]
    if filters.category_id is not None:
        categories = category_descendant_ids(category_id=filters.category_id)
        goods = (
            SalesDay.objects.filter(days, variant__product__category_id__in=categories)
            .values("day", "channel")
            .annotate(net_revenue=Sum("net_revenue"))
            .order_by()
        )
        for goods_row in goods:
            cell(goods_row["day"], goods_row["channel"])["net_revenue"] += goods_row["net_revenue"]
    return cells


def _cell(values: dict[str, Any] | None, currency: str) -> SalesCell:
    if not values:
        return SalesCell(net_revenue=quantize(0, currency), shipping_fees=quantize(0, currency))
    return SalesCell(
        orders=values.get("orders", 0),
        net_revenue=quantize(values.get("net_revenue", _ZERO), currency),
        shipping_fees=quantize(values.get("shipping_fees", _ZERO), currency),
    )


def _sum(cells: Iterator[SalesCell] | Sequence[SalesCell]) -> SalesCell:
    total = SalesCell()
    for cell in cells:
        total = total + cell
    return total
