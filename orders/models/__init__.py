"""Customers, orders, payments and returns, the website API's records and the sales rollup.

Every field that a rule keeps (totals, reservations, payment status, lifetime figures, search
text) is written by orders.services only; the constraints are the last line of defence.
Money is Decimal in the order's currency precision (common.money.quantize: VND 0, THB 2).

One module per domain; every name is importable from here (`from orders.models import Order`):
  customers     Customer, its phones, addresses and tags;
  orders        Order, OrderLine, OrderEvent and the order's choices (channel, status, payment);
  payments      Payment (money in and out) and Return / ReturnLine;
  invoice_requests  CustomerInvoiceDetails (a customer's default e-invoice details) and
                OrderInvoiceRequest (the e-invoice asked for with an order, a snapshot);
  websites      Website and WebsiteRequest (the inbound API's keys and kept requests);
  sales_rollup  SalesDay, SalesMonth, SalesTotal, SalesDayChannel, CustomerSalesDay,
                CustomerSalesMonth, CustomerSalesTotal, CustomerSalesWindow
                (what the sales reports read).
"""

from orders.models.customers import (
    AddressScheme,
    Country,
    Customer,
    CustomerAddress,
    CustomerPhone,
    Tag,
)
from orders.models.fields import MONEY
from orders.models.invoice_requests import (
    BuyerType,
    CustomerInvoiceDetails,
    OrderInvoiceRequest,
)
from orders.models.orders import (
    Channel,
    EventKind,
    FollowupState,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    collected_amount,
)
from orders.models.payments import (
    Payment,
    PaymentKind,
    Return,
    ReturnCondition,
    ReturnLine,
    ReturnStatus,
)
from orders.models.sales_rollup import (
    ROLLUP_AMOUNT,
    WINDOW_MONTHS,
    CustomerSalesDay,
    CustomerSalesMonth,
    CustomerSalesTotal,
    CustomerSalesWindow,
    SalesDay,
    SalesDayChannel,
    SalesMonth,
    SalesTotal,
)
from orders.models.websites import ApiEndpoint, ApiRequestOutcome, Website, WebsiteRequest

__all__ = [
    "MONEY",
    "ROLLUP_AMOUNT",
    "WINDOW_MONTHS",
    "AddressScheme",
    "ApiEndpoint",
    "ApiRequestOutcome",
    "BuyerType",
    "Channel",
    "Country",
    "Customer",
    "CustomerAddress",
    "CustomerInvoiceDetails",
    "CustomerPhone",
    "CustomerSalesDay",
    "CustomerSalesMonth",
    "CustomerSalesTotal",
    "CustomerSalesWindow",
    "EventKind",
    "FollowupState",
    "Order",
    "OrderEvent",
    "OrderInvoiceRequest",
    "OrderLine",
    "OrderStatus",
    "Payment",
    "PaymentKind",
    "PaymentMethod",
    "PaymentStatus",
    "Return",
    "ReturnCondition",
    "ReturnLine",
    "ReturnStatus",
    "SalesDay",
    "SalesDayChannel",
    "SalesMonth",
    "SalesTotal",
    "Tag",
    "Website",
    "WebsiteRequest",
    "collected_amount",
]
