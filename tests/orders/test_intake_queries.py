"""The SQL statements one order costs: a website order over the API (new customer, existing
customer) and order_create on its own. Each list is the whole conversation with PostgreSQL,
transaction control included (transactional tests: nothing wraps the request, the after-commit
hooks run), in the order it happens; the comment beside each says what needs it.

An API order: 12 statements for a new customer, 11 for an existing one (before issue 17's
work: 20 and 17). Gone since: the savepoint and its release (a refused order rolls the whole
request transaction back and is recorded in a new one, RequestUndo), the after-commit read of
the order (the signal carries its customer and time), the separate INSERTs of the customer,
its phone and address, and of the order, its lines and its history row (one statement each,
the ids drawn with the lock), and the separate UPDATE of the customer's totals (a CTE of the
rollup refresh).

Why not fewer (the rules each statement keeps): the key is checked against the database on
every request (a rotated or switched-off key stops at once); the id is looked up before the
body is validated (a website may resend anything, even a payload that no longer validates, and
gets its order back); SKUs, prices and VAT come from the catalogue; the advisory lock
serialises two requests for the same new buyer, which one statement cannot do together with
the lookup it protects (its snapshot would predate the lock); the customer row is locked so
its totals are recounted from the orders rather than incremented, and that recount must start
after the order's INSERT (a statement's snapshot does not see its own CTEs' rows); the request
is kept in the same transaction as the order; contact requests are linked after the commit, by
the followups app.

The statements written out for this path (all but BEGIN, COMMIT and the followups lookup) run
as prepared statements, parsed once per connection (tests/orders/test_prepared_statements.py).
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Variant
from orders.models import Customer, Order, WebsiteRequest
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput
from orders.services.websites import website_create
from tests.orders.factories import WarehouseFactory, make_customer, stocked_variant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL statements (lock, sequence)"
    ),
]

ORDERS_URL = "/api/v1/orders"

_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?')


def _depth(sql: str, end: int) -> int:
    """How many parentheses are open before `end` (0: the statement's own FROM, not a
    subquery's)."""
    return sql.count("(", 0, end) - sql.count(")", 0, end)


def shape(sql: str) -> str:
    """A statement in a few words: its verb and first table, or what it calls."""
    verb = sql.split(None, 1)[0].upper()
    if verb in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb
    if "pg_advisory_xact_lock" in sql:
        return f"{verb} lock+nextval" if "nextval" in sql else f"{verb} lock"
    if "nextval" in sql:
        return "SELECT nextval"
    table = next((m for m in _TABLE.finditer(sql) if _depth(sql, m.start()) == 0), None)
    lock = " FOR UPDATE" if sql.rstrip().endswith("FOR UPDATE") or " FOR UPDATE OF " in sql else ""
    return f"{verb} {table.group(1) if table else '?'}{lock}"


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [shape(q["sql"]) for q in captured.captured_queries]


@pytest.fixture
def shop():
    warehouse = WarehouseFactory(code="HCM01")
    stocked_variant(warehouse, 10, price="150000", vat="10", sku="AO-DO-M")
    stocked_variant(warehouse, 5, price="99000", vat="8", sku="NON-01")
    _website, key = website_create(
        name="Cửa hàng chính", code="main-site", warehouse_id=warehouse.pk, user_id=None
    )
    return key


def body(external_id: str, phone: str) -> str:
    return json.dumps(
        {
            "id": external_id,
            "customer": {"name": "Trần Thị Bình", "phone": phone},
            "shipping_address": {
                "street": "45 Nguyễn Huệ",
                "ward": "Phường Bến Nghé",
                "district": "Quận 1",
                "province": "TP. Hồ Chí Minh",
            },
            "items": [
                {"sku": "AO-DO-M", "quantity": 2, "unit_price": "140000"},
                {"sku": "non-01", "quantity": 1},
            ],
            "payment_method": "cod",
            "shipping_fee": "30000",
        },
        ensure_ascii=False,
    )


def post(client, key, external_id, phone):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            ORDERS_URL,
            data=body(external_id, phone),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert response.status_code == 201, response.content
    return statements(captured)


# Both API cases, before the customer part.
API_START = [
    "SELECT orders_website",  # the key: the active website with this key prefix
    "BEGIN",  # one transaction: the order and the request log row
    "SELECT orders_order",  # the id already recorded? (idempotency, before validation)
    # Serialise this buyer's phone (an advisory lock); draw the order number, the order's id
    # and an id for the customer should it be new (a gap in customer ids otherwise); with the
    # SKUs: price, VAT, names, still sold (also for the lines).
    "WITH lock+nextval",
    "SELECT orders_customer FOR UPDATE",  # oldest live customer with it, row locked
]
# Both API cases, from the order on.
API_END = [
    # The order (its search text and totals computed in Python), all its lines and its
    # "created" history row: one statement, the order's id drawn above.
    "WITH orders_orderevent",
    # orders_count and revenue recounted from the orders (a CTE) and the top customers
    # rollup: the customer's day, month and bound rows upserted, in one statement.
    "WITH orders_customersalesmonth",
    "INSERT orders_websiterequest",  # the request as received, with its outcome and order
    "COMMIT",
    # After commit, followups links contact requests that led to this order (usually none);
    # the signal carries the order's customer and time.
    "SELECT followups_contactrequest",  # any request waiting? none: no transaction opened
]


def test_api_order_for_a_new_customer(shop, client):
    post(client, shop, "WARM-1", "0987 000 001")  # stamps the key's last use (once a minute)
    sent = post(client, shop, "WEB-1", "0987 654 321")
    assert sent == [
        *API_START,
        # The customer (name, e-mails, search text), its phone (primary) and the shipping
        # address (its default): one statement, the customer's id drawn with the lock.
        "WITH orders_customeraddress",
        *API_END,
    ]
    assert len(sent) == 11
    assert (Customer.objects.count(), Order.objects.count(), WebsiteRequest.objects.count()) == (
        2,
        2,
        2,
    )
    customer = Customer.objects.get(phones__e164="+84987654321")
    assert (customer.orders_count, customer.search_text) == (
        1,
        "tran thi binh 0987654321 84987654321",
    )


def test_api_order_for_an_existing_customer(shop, client):
    post(client, shop, "WEB-1", "0987 654 321")
    sent = post(client, shop, "WEB-2", "0987654321")
    assert sent == [*API_START, *API_END]
    assert len(sent) == 10
    customer = Customer.objects.get()
    assert customer.orders_count == 2
    order = Order.objects.get(external_number="WEB-2")
    assert order.customer_id == customer.pk
    assert order.search_text == f"{order.number.lower()} web-2 tran thi binh 0987654321 84987654321"


def test_order_create_alone(shop):
    customer = make_customer("Lê Văn An", phones=("0912345678",))
    variant_ids = list(Variant.objects.order_by("pk").values_list("pk", flat=True))
    lines = [LineInput(variant_id=v, quantity=1) for v in variant_ids]
    with CaptureQueriesContext(connection) as captured:
        order = order_create(
            customer_id=customer.pk,
            lines=lines,
            channel="phone",
            payment_method="cod",
            user_id=None,
        )
    assert statements(captured) == [
        "BEGIN",
        "SELECT orders_customer FOR UPDATE",  # live (not merged), row locked for its totals
        "SELECT inventory_variant",  # the lines' variants with their products
        "SELECT orders_customeraddress",  # its default address, copied onto the order
        "SELECT nextval",  # the order number
        "SELECT orders_customerphone",  # the primary phone, for the search text
        "INSERT orders_order",  # (no channel order number: no savepoint to catch a duplicate)
        "INSERT orders_orderline",
        "INSERT orders_orderevent",
        "WITH orders_customersalesmonth",  # orders_count, revenue and the rollup (as above)
        "COMMIT",
        "SELECT followups_contactrequest",  # after commit: followups (as above)
    ]
    customer.refresh_from_db()
    assert (customer.orders_count, order.lines.count()) == (1, 2)
