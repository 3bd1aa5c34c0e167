"""The sales rollup: pre-aggregated daily figures that the sales reports read, kept exact in the
same transaction as the change, like a ledger.

Tables (orders.models): SalesDay (day, variant, channel, warehouse, currency), SalesMonth
(month, variant, currency) and SalesDayChannel (day, channel, warehouse, currency). "day" is the
shop-local date (settings.TIME_ZONE) of the order's created_at; "month" its first day.

What counts (orders.selectors.reports): the lines of orders that were shipped (shipped_at set)
and not cancelled. Per line, with u = quantity_shipped - quantity_returned:
    units(u) = u
    net(u)   = 0 when the order's subtotal is 0, else
               round6(line_total x (subtotal - discount_total) x u / (subtotal x quantity))
    vat(u)   = round6(vat_amount x u / quantity)
    cost(u)  = unit_cost x u
(round6: half up to 6 decimals; the reports round the sums once, to the currency's precision).
A SalesDay / SalesMonth row is the sum of these over its lines; a SalesDayChannel row counts
its orders, sums net(u) over their lines and sums their shipping fees.

What changes them (checked against orders.transitions and every service that writes orders):
  order_ship     processing -> shipped: the order starts to count; sales_rollup_add_shipment
                 adds its lines (and the order, its shipping fee) right after the lines are
                 marked shipped, in the shipment's transaction.
  return_create  n more units of a line came back: sales_rollup_add_return adds
                 net(u) - net(u + n) (and the same for units, VAT and cost), u being the units
                 left after the return; orders and shipping fees do not move (a returned order
                 still counts in the reports, its lines with zero units).
Nothing else touches a counted order's figures: cancel only leaves new / processing, edits
(lines, discounts, warehouse, channel) are allowed only in new / processing, payments and
refunds do not enter these reports, and merging customers changes only the customer.

Because a return adds the difference of the same rounded per-line figures, each row always
equals what sales_rollup_rebuild computes from the orders, to the last decimal: that is what
check_sales_rollup verifies.

On PostgreSQL each change is one INSERT ... SELECT ... ON CONFLICT DO UPDATE per table. Two
transactions adding to the same row: the second waits on the first's row until it commits, then
adds to the committed value. Rows are written in key order and after the stock rows (both
order_ship and return_create lock stock first), so two transactions never wait on each other
crosswise. On SQLite (the dev default) the same figures are computed in Python with
Decimal and written row by row (SQLite lets one writer at a time in).

The customer rollup (CustomerSalesDay, CustomerSalesMonth: what the top customers report counts)
has rules of its own: see .customers (kept) and .customers_check (rebuilt and checked).

Modules: keep (a shipment adds, a return takes out), rebuild (recompute a range), check
(compare with the orders, writes nothing); what they share: sql (the per-line figures in SQL),
in_python (the same in Decimal), tables (the three tables as data), ranges (whole months).
"""

from orders.services.sales_rollup.check import RollupMismatch, sales_rollup_mismatches
from orders.services.sales_rollup.customers import customer_sales_refresh
from orders.services.sales_rollup.customers_check import (
    CustomerRebuildResult,
    customer_rollup_mismatches,
    customer_rollup_rebuild,
)
from orders.services.sales_rollup.in_python import line_figures
from orders.services.sales_rollup.keep import sales_rollup_add_return, sales_rollup_add_shipment
from orders.services.sales_rollup.ranges import RollupRange, rollup_range
from orders.services.sales_rollup.rebuild import RebuildResult, sales_rollup_rebuild

__all__ = [
    "CustomerRebuildResult",
    "RebuildResult",
    "RollupMismatch",
    "RollupRange",
    "customer_rollup_mismatches",
    "customer_rollup_rebuild",
    "customer_sales_refresh",
    "line_figures",
    "rollup_range",
    "sales_rollup_add_return",
    "sales_rollup_add_shipment",
    "sales_rollup_mismatches",
    "sales_rollup_rebuild",
]
