"""The manual order page (orders:order_create / orders:order_edit) and its HTMX helpers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from inventory.models import StockLevel
from inventory.selectors.stock import ledger_mismatches
from orders.models import Customer, CustomerAddress, Order, OrderEvent, OrderLine
from orders.services.orders.transitions import order_confirm, order_ship
from tests.inventory.factories import ProductFactory
from tests.orders.factories import (
    WarehouseFactory,
    level,
    make_customer,
    make_order,
    order_ledger,
    stocked_variant,
)

pytestmark = pytest.mark.django_db

D = Decimal
CREATE = "/orders/new/"


@pytest.fixture(autouse=True)
def _partials_report_their_context(monkeypatch):
    """Django's test client sees the context of templates, not of django-template-partials'
    partials (rendered by TemplateProxy): report them the same way, so HTMX responses can be
    checked through response.context too."""
    from django.test.signals import template_rendered
    from template_partials.templatetags.partials import TemplateProxy

    def instrumented(self, context):
        template_rendered.send(sender=self, template=self, context=context)
        return self.nodelist.render(context)

    monkeypatch.setattr(TemplateProxy, "_render", instrumented)


@pytest.fixture
def shop():
    warehouse = WarehouseFactory(code="HCM01", name="Kho HCM")
    other = WarehouseFactory(code="HN01", name="Kho HN")
    shirt = stocked_variant(
        warehouse,
        10,
        price="150000",
        sku="AO-1",
        product=ProductFactory(name="Áo thun"),
        option1="Đỏ",
        option2="M",
    )
    stocked_variant(other, 4, price="150000", sku="AO-2")  # another product, elsewhere
    return {
        "warehouse": warehouse,
        "other": other,
        "shirt": shirt,
        "cap": stocked_variant(warehouse, 5, price="100000", sku="NON-1"),
        "bag": stocked_variant(warehouse, 2, price="300000", sku="TUI-1"),
        "customer": make_customer("Nguyễn Văn An", phones=("0912 345 678",)),
    }


def form_data(shop, *, customer=None, lines=(), **fields):
    """What the page posts. `lines`: (variant, qty, price, discount[, line_id]) tuples."""
    data = {
        "phone": "",
        "customer": customer.pk if customer else "",
        "customer_mode": "existing",
        "address": "",
        "channel": "phone",
        "payment_method": "cod",
        "warehouse": shop["warehouse"].pk,
        "notes": "",
        "discount_total": "",
        "shipping_fee": "",
        "line_key": [],
        "line_variant": [],
        "line_id": [],
        "line_qty": [],
        "line_price": [],
        "line_discount": [],
    }
    for index, (variant, qty, price, discount, *line_id) in enumerate(lines):
        data["line_key"].append(f"k{index}")
        data["line_variant"].append(str(variant.pk if hasattr(variant, "pk") else variant))
        data["line_id"].append(str(line_id[0]) if line_id else "")
        data["line_qty"].append(str(qty))
        data["line_price"].append(price)
        data["line_discount"].append(discount)
    data.update(fields)
    return data


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def lines_of(order):
    return list(
        OrderLine.objects.filter(order=order)
        .order_by("pk")
        .values_list("sku", "quantity", "unit_price", "discount", "line_total", "quantity_reserved")
    )


# --- Create -----------------------------------------------------------------------------------


def test_the_page_opens_on_the_phone_with_defaults(client, login_as, shop):
    login_as("sales")
    inactive_main = WarehouseFactory(code="AAA", is_active=False)
    response = client.get(CREATE)
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert form["channel"].value() == "phone"
    assert form["payment_method"].value() == "cod"
    assert form["warehouse"].value() == shop["warehouse"].pk  # first active main warehouse
    assert [c for c, _label in form.fields["channel"].choices] == [
        "phone",
        "facebook",
        "chat",
        "other",
    ]
    assert 'id="of-phone"' in html
    assert "autofocus" in html.split('id="of-phone"')[1][:600]
    assert f'value="{inactive_main.pk}"' not in html
    for hint in ("F2", "F4", "Esc", "Alt+S", "Ctrl+Enter"):
        assert f"<kbd>{hint}</kbd>" in html
    assert 'value="confirm"' in html  # sales may confirm


def test_customer_search_by_phone_fragment_shows_name_phone_address_and_orders(
    client, login_as, shop
):
    login_as("sales")
    customer = shop["customer"]
    make_order(customer, shop["warehouse"], [(shop["shirt"], 1)])
    make_order(customer, shop["warehouse"], [(shop["cap"], 1)])
    make_customer("Trần Thị Bình", phones=("0987 654 321",))

    response = client.get(reverse("orders:order_form_customers"), {"phone": "0912 34"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["customers"]] == [customer.pk]
    html = response.content.decode()
    assert "Nguyễn Văn An" in html
    assert "0912 345 678" in html
    assert "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh" in html
    assert "2 orders" in html
    default = CustomerAddress.objects.get(customer=customer)
    assert f'name="address" value="{default.pk}" checked' in html
    assert "Trần Thị Bình" not in html
    assert "New customer" in html  # offered after the matches too

    nobody = client.get(reverse("orders:order_form_customers"), {"phone": "0333 999"})
    assert list(nobody.context["customers"]) == []
    assert "No customer has this phone or name: add a new one." in nobody.content.decode()

    too_short = client.get(reverse("orders:order_form_customers"), {"phone": "09"})
    assert list(too_short.context["customers"]) == []
    assert too_short.content.decode().strip() == ""


def test_create_a_phone_order_for_a_customer_found_by_phone(client, login_as, shop):
    user = login_as("sales")
    customer = shop["customer"]
    found = client.get(reverse("orders:order_form_customers"), {"phone": "345 678"})
    assert [c.pk for c in found.context["customers"]] == [customer.pk]
    address = CustomerAddress.objects.get(customer=customer)

    response = client.post(
        CREATE,
        form_data(
            shop,
            customer=customer,
            address=str(address.pk),
            lines=[(shop["shirt"], 2, "150.000", ""), (shop["cap"], 1, "100.000", "")],
            notes="Giao giờ hành chính",
        ),
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    assert (order.customer_id, order.channel, order.payment_method, order.status) == (
        customer.pk,
        "phone",
        "cod",
        "new",
    )
    assert order.warehouse_id == shop["warehouse"].pk
    assert order.created_by_id == user.pk
    assert order.notes == "Giao giờ hành chính"
    assert (order.ship_name, order.ship_phone, order.ship_street, order.ship_district) == (
        "Nguyễn Văn An",
        "+84912345678",
        "12 Lê Lợi",
        "Quận 1",
    )
    assert lines_of(order) == [
        ("AO-1", 2, D("150000"), D("0"), D("300000"), 0),
        ("NON-1", 1, D("100000"), D("0"), D("100000"), 0),
    ]
    assert (order.subtotal, order.total) == (D("400000"), D("400000"))
    assert messages_of(response) == [("success", f"Order {order.number} created.")]
    assert level(shop["shirt"], shop["warehouse"]) == (10, 0)  # nothing reserved while new
    # The warehouse used is remembered for the next order.
    assert client.get(CREATE).context["form"]["warehouse"].value() == shop["warehouse"].pk
    client.post(
        CREATE,
        form_data(
            shop,
            customer=customer,
            warehouse=shop["other"].pk,
            lines=[(shop["shirt"], 1, "150.000", "")],
        ),
    )
    assert client.get(CREATE).context["form"]["warehouse"].value() == shop["other"].pk


def test_create_with_a_new_customer_inline(client, login_as, shop):
    login_as("sales")
    response = client.post(
        CREATE,
        form_data(
            shop,
            customer_mode="new",
            phone="0977 111 222",
            new_name="Lê Thị Cúc",
            new_phone="0977 111 222",
            new_email="cuc@example.vn",
            ship_scheme="vn_2level",
            ship_province="Hà Nội",
            ship_district="(ignored in the two-level form)",
            ship_ward="Phường Ba Đình",
            ship_street="5 Điện Biên Phủ",
            save_address="on",
            channel="facebook",
            payment_method="bank_transfer",
            lines=[(shop["shirt"], 1, "150.000", "")],
        ),
    )
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    customer = Customer.objects.get(name="Lê Thị Cúc")
    assert order.customer_id == customer.pk
    assert customer.emails == ["cuc@example.vn"]
    assert list(customer.phones.values_list("e164", "is_primary")) == [("+84977111222", True)]
    assert list(
        customer.addresses.values_list("scheme", "province", "district", "ward", "is_default")
    ) == [("vn_2level", "Hà Nội", "", "Phường Ba Đình", True)]
    assert (order.channel, order.payment_method) == ("facebook", "bank_transfer")
    assert (order.ship_name, order.ship_phone, order.ship_scheme, order.ship_ward) == (
        "Lê Thị Cúc",
        "+84977111222",
        "vn_2level",
        "Phường Ba Đình",
    )


def test_a_thai_address_keeps_district_and_postcode(client, login_as, shop):
    login_as("sales")
    customer = shop["customer"]
    client.post(
        CREATE,
        form_data(
            shop,
            customer=customer,
            address="new",
            ship_name="Somchai Jaidee",
            ship_phone="+66 81 234 5678",
            ship_scheme="th",
            ship_province="Bangkok",
            ship_district="Watthana",
            ship_ward="Khlong Toei Nuea",
            ship_postcode="10110",
            ship_street="99/1 Sukhumvit Soi 11",
            save_address="",
            lines=[(shop["shirt"], 1, "150.000", "")],
        ),
    )
    order = Order.objects.get()
    assert (
        order.ship_country,
        order.ship_scheme,
        order.ship_district,
        order.ship_ward,
        order.ship_postcode,
        order.ship_phone,
    ) == ("TH", "th", "Watthana", "Khlong Toei Nuea", "10110", "+66812345678")
    assert customer.addresses.count() == 1  # not saved to the customer: box unticked


def test_a_new_address_is_saved_to_the_customer_when_asked(client, login_as, shop):
    login_as("sales")
    customer = shop["customer"]
    client.post(
        CREATE,
        form_data(
            shop,
            customer=customer,
            address="new",
            ship_scheme="vn_3level",
            ship_province="Đà Nẵng",
            ship_district="Hải Châu",
            ship_ward="Thạch Thang",
            ship_street="1 Bạch Đằng",
            save_address="on",
            lines=[(shop["shirt"], 1, "150.000", "")],
        ),
    )
    order = Order.objects.get()
    assert (order.ship_name, order.ship_street) == ("Nguyễn Văn An", "1 Bạch Đằng")
    assert list(customer.addresses.order_by("pk").values_list("street", "is_default")) == [
        ("12 Lê Lợi", True),
        ("1 Bạch Đằng", False),
    ]


def test_vnd_amounts_as_typed_with_discount_and_shipping(client, login_as, shop):
    login_as("sales")
    response = client.post(
        CREATE,
        form_data(
            shop,
            customer=shop["customer"],
            discount_total="20.000",
            shipping_fee="30.000",
            lines=[(shop["shirt"], 2, "150.000", "10.000"), (shop["cap"], 1, "99000", "")],
        ),
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert lines_of(order) == [
        ("AO-1", 2, D("150000"), D("10000"), D("290000"), 0),
        ("NON-1", 1, D("99000"), D("0"), D("99000"), 0),
    ]
    # 389 000 - 20 000 + 30 000; the order discount is spread 14 910 / 5 090 over the lines
    assert (order.subtotal, order.discount_total, order.shipping_fee, order.total) == (
        D("389000"),
        D("20000"),
        D("30000"),
        D("399000"),
    )
    # VAT contained: (290 000 - 14 910) x 10/110 = 25 008, (99 000 - 5 090) x 10/110 = 8 537
    assert order.vat_total == D("33545")


def test_totals_are_computed_by_the_server(client, login_as, shop):
    login_as("sales")
    data = form_data(
        shop,
        discount_total="20.000",
        shipping_fee="30.000",
        lines=[(shop["shirt"], 2, "150.000", "10.000"), (shop["cap"], 1, "99000", "")],
    )
    response = client.post(reverse("orders:order_form_totals"), data)
    assert response.status_code == 200
    amounts = response.context["preview"].amounts
    assert (
        amounts.subtotal,
        amounts.discount_total,
        amounts.shipping_fee,
        amounts.total,
        amounts.vat_total,
    ) == (D("389000"), D("20000"), D("30000"), D("399000"), D("33545"))
    html = response.content.decode()
    assert '<div id="of-totals"' in html
    assert '<dd class="grand" data-total="total">₫399,000</dd>' in html
    assert '<span id="lt-k0" class="of-line-total" hx-swap-oob="true">₫290,000</span>' in html
    assert '<span id="lt-k1" class="of-line-total" hx-swap-oob="true">₫99,000</span>' in html
    assert 'id="la-k0" class="of-stock" hx-swap-oob="true"' in html
    assert Order.objects.count() == 0

    too_much = client.post(
        reverse("orders:order_form_totals"),
        form_data(shop, discount_total="500.000", lines=[(shop["shirt"], 1, "150.000", "")]),
    )
    assert too_much.context["errors"] == ["The order discount cannot be larger than the subtotal."]
    bad = client.post(
        reverse("orders:order_form_totals"),
        form_data(shop, shipping_fee="12,5", lines=[(shop["shirt"], 1, "150.000", "")]),
    )
    assert bad.context["errors"] == ["Shipping fee: VND amounts have no decimals: “12,5”."]


def test_more_than_available_is_shown_and_still_saved_as_new(client, login_as, shop):
    login_as("sales")
    data = form_data(
        shop, customer=shop["customer"], lines=[(shop["bag"], 3, "300.000", "")]
    )  # 2 in stock
    totals = client.post(reverse("orders:order_form_totals"), data)
    html = totals.content.decode()
    assert 'id="la-k0" class="of-stock of-stock--short" hx-swap-oob="true"' in html
    assert "2 in HCM01" in html
    assert (
        "1 line asks for more than the warehouse has: the order can be saved as new, "
        "but not confirmed until stock arrives."
    ) in html

    response = client.post(CREATE, data)
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.status == "new"
    assert lines_of(order) == [("TUI-1", 3, D("300000"), D("0"), D("900000"), 0)]
    assert level(shop["bag"], shop["warehouse"]) == (2, 0)


def test_save_and_confirm_reserves_the_stock(client, login_as, shop):
    login_as("sales")
    response = client.post(
        CREATE,
        form_data(
            shop,
            customer=shop["customer"],
            action="confirm",
            lines=[(shop["shirt"], 3, "150.000", ""), (shop["cap"], 2, "100.000", "")],
        ),
    )
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.status == "processing"
    assert level(shop["shirt"], shop["warehouse"]) == (10, 3)
    assert level(shop["cap"], shop["warehouse"]) == (5, 2)
    assert StockLevel.objects.get(variant=shop["shirt"], warehouse=shop["warehouse"]).reserved == 3
    assert [line[-1] for line in lines_of(order)] == [3, 2]
    assert messages_of(response) == [
        ("success", f"Order {order.number} created."),
        ("success", f"Order {order.number} confirmed: the stock is reserved."),
    ]
    assert ledger_mismatches() == []


def test_save_and_confirm_with_short_stock_saves_the_order_as_new(client, login_as, shop):
    login_as("sales")
    response = client.post(
        CREATE,
        form_data(
            shop,
            customer=shop["customer"],
            action="confirm",
            lines=[(shop["bag"], 3, "300.000", ""), (shop["shirt"], 1, "150.000", "")],
        ),
    )
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.status == "new"
    assert level(shop["bag"], shop["warehouse"]) == (2, 0)
    assert level(shop["shirt"], shop["warehouse"]) == (10, 0)
    assert messages_of(response) == [
        ("success", f"Order {order.number} created."),
        (
            "warning",
            f"Order {order.number} stays new until the stock arrives: Not enough stock in "
            f"HCM01 for order {order.number}: TUI-1: 3 requested, 2 available.",
        ),
    ]


def _assert_nothing_saved(response, customers_before):
    assert response.status_code == 200
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert Customer.objects.count() == customers_before


@pytest.mark.parametrize(
    ("lines", "fields", "error"),
    [
        (
            [("unknown", 1, "150.000", "")],
            {},
            "A line refers to a product variant that does not exist.",
        ),
        ([("shirt", 0, "150.000", "")], {}, "Correct the lines marked in red."),
        (
            [("shirt", 1, "150.000", "")],
            {"discount_total": "200.000"},
            "The order discount cannot be larger than the subtotal.",
        ),
        (
            [("shirt", 1, "150.000", "200.000")],
            {},
            "A line discount cannot be larger than the line amount.",
        ),
        ([("shirt", 1, "150.5", "")], {}, "Correct the lines marked in red."),
        ([], {}, "Add at least one line."),
        (
            [("shirt", 1, "150.000", "")],
            {"new_phone": "12"},
            "12 is not a valid phone number in VN.",
        ),
    ],
)
def test_errors_save_nothing_and_keep_the_lines(client, login_as, shop, lines, fields, error):
    login_as("sales")
    before = Customer.objects.count()
    posted = [
        (999_999 if name == "unknown" else shop[name], qty, price, discount)
        for name, qty, price, discount in lines
    ]
    data = form_data(
        shop,
        customer_mode="new",
        new_name="Khách mới",
        new_phone="0977 111 222",
        ship_province="Hà Nội",
        ship_ward="Phường Ba Đình",
        ship_street="5 Điện Biên Phủ",
        save_address="on",
        lines=posted,
    )
    data.update(fields)
    response = client.post(CREATE, data)
    _assert_nothing_saved(response, before)
    assert CustomerAddress.objects.filter(street="5 Điện Biên Phủ").count() == 0
    assert list(response.context["form"].non_field_errors()) == [error]
    html = response.content.decode()
    assert f"<div>{error}</div>" in html
    # What was typed is still there.
    assert 'value="Khách mới"' in html
    assert 'value="5 Điện Biên Phủ"' in html
    assert [line.row.qty_text for line in response.context["lines"]] == [
        str(qty) for _n, qty, _p, _d in lines
    ]
    if lines and lines[0][0] == "shirt":
        assert '<input type="hidden" name="line_variant" value="' + str(shop["shirt"].pk) in html


@pytest.mark.parametrize("mode", ["new", "existing"])
def test_a_delivery_address_is_required_when_a_new_one_is_asked(client, login_as, shop, mode):
    login_as("sales")
    before = Customer.objects.count()
    response = client.post(
        CREATE,
        form_data(
            shop,
            customer=shop["customer"] if mode == "existing" else None,
            customer_mode=mode,
            new_name="Khách mới",
            address="new",
            lines=[(shop["shirt"], 1, "150.000", "")],
        ),
    )
    _assert_nothing_saved(response, before)
    assert list(response.context["form"].non_field_errors()) == ["Enter the delivery address."]


def test_a_line_error_is_shown_on_its_row(client, login_as, shop):
    login_as("sales")
    response = client.post(
        CREATE,
        form_data(
            shop,
            customer=shop["customer"],
            lines=[(shop["shirt"], 0, "150.000", ""), (shop["cap"], 1, "1,5", "")],
        ),
    )
    assert Order.objects.count() == 0
    lines = response.context["lines"]
    assert [line.row.errors for line in lines] == [
        ["Enter a quantity from 1 to 100000."],
        ["VND amounts have no decimals: “1,5”."],
    ]
    html = response.content.decode()
    assert html.count('class="of-line of-line--error"') == 2


def test_an_existing_customer_is_required(client, login_as, shop):
    login_as("sales")
    response = client.post(CREATE, form_data(shop, lines=[(shop["shirt"], 1, "150.000", "")]))
    assert Order.objects.count() == 0
    assert response.context["form"].errors["phone"] == ["Pick a customer, or add a new one."]


# --- Edit -------------------------------------------------------------------------------------


def test_edit_of_a_new_order_changes_its_lines(client, login_as, shop):
    user = login_as("sales")
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 2), (shop["cap"], 1)])
    shirt_line, cap_line = OrderLine.objects.filter(order=order).order_by("pk")

    page = client.get(f"/orders/{order.pk}/edit/")
    assert page.status_code == 200
    assert [
        (line.sku, line.row.qty_text, line.row.price_text) for line in page.context["lines"]
    ] == [
        ("AO-1", "2", "150.000"),
        ("NON-1", "1", "100.000"),
    ]
    html = page.content.decode()
    assert 'name="address" value="order" checked' in html
    assert f'<input type="hidden" name="line_id" value="{shirt_line.pk}">' in html

    response = client.post(
        f"/orders/{order.pk}/edit/",
        form_data(
            shop,
            customer=shop["customer"],
            address="order",
            order=order.pk,
            shipping_fee="25.000",
            lines=[(shop["shirt"], 3, "140.000", "", shirt_line.pk), (shop["bag"], 1, "", "")],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert lines_of(order) == [
        ("AO-1", 3, D("140000"), D("0"), D("420000"), 0),
        ("TUI-1", 1, D("300000"), D("0"), D("300000"), 0),  # blank price: the sale price
    ]
    assert not OrderLine.objects.filter(pk=cap_line.pk).exists()
    assert (order.subtotal, order.shipping_fee, order.total, order.status) == (
        D("720000"),
        D("25000"),
        D("745000"),
        "new",
    )
    event = OrderEvent.objects.get(order=order, kind="edited")
    assert event.user_id == user.pk
    assert event.data["lines"]["removed"] == [{"sku": "NON-1", "quantity": 1}]
    assert messages_of(response) == [("success", f"Order {order.number} saved.")]


def test_edit_of_a_processing_order_moves_the_reservations_exactly(client, login_as, shop):
    login_as("sales")
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 2), (shop["cap"], 1)])
    order_confirm(order_id=order.pk, user_id=None)
    shirt_line, _cap_line = OrderLine.objects.filter(order=order).order_by("pk")
    assert level(shop["shirt"], shop["warehouse"]) == (10, 2)

    page = client.get(f"/orders/{order.pk}/edit/")
    # The order's own reservation counts as available to it: 10 - 2 + 2.
    assert [line.available_here for line in page.context["lines"]] == [10, 5]
    assert 'value="confirm"' not in page.content.decode()

    response = client.post(
        f"/orders/{order.pk}/edit/",
        form_data(
            shop,
            customer=shop["customer"],
            address="order",
            order=order.pk,
            lines=[
                (shop["shirt"], 5, "150.000", "", shirt_line.pk),
                (shop["bag"], 2, "300.000", ""),
            ],
        ),
    )
    assert response["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == "processing"
    assert level(shop["shirt"], shop["warehouse"]) == (10, 5)
    assert level(shop["cap"], shop["warehouse"]) == (5, 0)
    assert level(shop["bag"], shop["warehouse"]) == (2, 2)
    assert [line[-1] for line in lines_of(order)] == [5, 2]
    assert order_ledger(order) == [
        ("AO-1", "reservation", 0, 2),
        ("NON-1", "reservation", 0, 1),
        ("AO-1", "reservation", 0, 3),
        ("NON-1", "release", 0, -1),
        ("TUI-1", "reservation", 0, 2),
    ]
    assert ledger_mismatches() == []


def test_edit_of_a_processing_order_shows_the_shortage_and_changes_nothing(client, login_as, shop):
    login_as("sales")
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 2)])
    order_confirm(order_id=order.pk, user_id=None)
    line = OrderLine.objects.get(order=order)
    response = client.post(
        f"/orders/{order.pk}/edit/",
        form_data(
            shop,
            customer=shop["customer"],
            address="order",
            order=order.pk,
            lines=[(shop["shirt"], 12, "150.000", "", line.pk)],
        ),
    )
    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [
        # the 10 more units it needs, of the 8 not reserved by anyone
        f"Not enough stock in HCM01 for order {order.number}: AO-1: 10 requested, 8 available."
    ]
    assert [(v.short, v.available_here) for v in response.context["lines"]] == [(True, 10)]
    assert (
        "1 line asks for more than the warehouse has: this order keeps its stock reserved, "
        "so the change cannot be saved until stock arrives."
    ) in response.content.decode()
    assert level(shop["shirt"], shop["warehouse"]) == (10, 2)
    assert lines_of(order) == [("AO-1", 2, D("150000"), D("0"), D("300000"), 2)]
    assert not OrderEvent.objects.filter(order=order, kind="edited").exists()


def test_edit_is_refused_for_a_shipped_order(client, login_as, shop):
    login_as("sales")
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 1)])
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    for method in ("get", "post"):
        client.cookies.pop("messages", None)
        response = getattr(client, method)(
            f"/orders/{order.pk}/edit/",
            form_data(shop, customer=shop["customer"], lines=[(shop["shirt"], 5, "1", "")]),
        )
        assert response.status_code == 302
        assert response["Location"] == f"/orders/{order.pk}/"
        assert messages_of(response) == [
            ("error", f"Order {order.number} is Shipped: it cannot be edited.")
        ]
    assert lines_of(order) == [("AO-1", 1, D("150000"), D("0"), D("150000"), 0)]
    assert client.get("/orders/999999/edit/").status_code == 404


# --- Product search and new rows --------------------------------------------------------------


def test_variant_search_puts_the_exact_sku_first_with_price_and_availability(
    client, login_as, shop
):
    login_as("sales")
    StockLevel.objects.filter(variant=shop["shirt"], warehouse=shop["warehouse"]).update(reserved=3)
    stocked_variant(shop["other"], 6, sku="AO-10", price="175000")
    response = client.get(
        reverse("orders:order_form_variants"), {"q": "ao-1", "warehouse": shop["warehouse"].pk}
    )
    variants = response.context["variants"]
    assert [(v.sku, v.available_here, v.available_total) for v in variants] == [
        ("AO-1", 7, 7),
        ("AO-10", 0, 6),
    ]
    html = response.content.decode()
    assert "Áo thun" in html
    assert "Đỏ" in html
    assert "₫150,000" in html
    assert "₫175,000" in html
    assert "7 in HCM01" in html
    assert "0 in HCM01" in html
    assert "6 in all" in html
    assert f'data-pick-value="{shop["shirt"].pk}"' in html

    in_hanoi = client.get(
        reverse("orders:order_form_variants"), {"q": "ao-10", "warehouse": shop["other"].pk}
    )
    assert [(v.sku, v.available_here) for v in in_hanoi.context["variants"]] == [("AO-10", 6)]
    none = client.get(reverse("orders:order_form_variants"), {"q": "zzz"})
    assert "No product matches." in none.content.decode()


def test_variant_search_query_count_does_not_grow_with_results(
    client, login_as, shop, django_assert_num_queries
):
    login_as("sales")
    for n in range(6):
        stocked_variant(shop["warehouse"], 3, sku=f"MU-{n}")
    url = reverse("orders:order_form_variants")
    params = {"warehouse": shop["warehouse"].pk}
    # session, user, 2 x permissions, exact match, text match, warehouse code
    with django_assert_num_queries(7):
        one = client.get(url, {**params, "q": "tui-1"})
    with django_assert_num_queries(7):
        six = client.get(url, {**params, "q": "mu-"})
    with django_assert_num_queries(7):
        none = client.get(url, {**params, "q": "nothing-like-it"})
    assert (len(one.context["variants"]), len(six.context["variants"])) == (1, 6)
    assert none.context["variants"] == []


def test_a_picked_variant_becomes_a_row(client, login_as, shop):
    login_as("sales")
    response = client.get(
        reverse("orders:order_form_line"),
        {"variant": shop["bag"].pk, "warehouse": shop["warehouse"].pk, "key": "n1<x>"},
    )
    line = response.context["line"]
    assert (line.key, line.sku, line.row.qty_text, line.row.price_text) == (
        "n1x",
        "TUI-1",
        "1",
        "300.000",
    )
    assert (line.line_total, line.available_here, line.vat_rate) == (D("300000"), 2, D("10.00"))
    html = response.content.decode()
    assert html.startswith('<tr class="of-line" data-key="n1x"')
    assert '<span id="lt-n1x" class="of-line-total">₫300,000</span>' in html
    gone = client.get(reverse("orders:order_form_line"), {"variant": 999999})
    assert gone.status_code == 204


# --- Permissions ------------------------------------------------------------------------------


def test_warehouse_staff_cannot_take_or_edit_orders(client, login_as, shop):
    login_as("warehouse")
    order = make_order(shop["customer"], shop["warehouse"], [(shop["shirt"], 1)])
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data(shop, customer=shop["customer"])).status_code == 403
    assert client.get(f"/orders/{order.pk}/edit/").status_code == 403
    assert client.get(reverse("orders:order_form_customers"), {"phone": "0912"}).status_code == 403
    # the product search is shared with the return page's exchange rows (they record returns)
    assert client.get(reverse("orders:order_form_variants"), {"q": "AO"}).status_code == 200
    assert client.get(reverse("orders:order_form_line"), {"variant": 1}).status_code == 403
    assert client.post(reverse("orders:order_form_totals"), {}).status_code == 403
    assert Order.objects.count() == 1


def test_without_confirm_permission_the_order_stays_new(client, make_user, shop):
    from django.contrib.auth.models import Permission

    user = make_user("accountant")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="orders", codename__in=["add_order", "add_customer"]
        )
    )
    client.force_login(user)
    assert 'value="confirm"' not in client.get(CREATE).content.decode()
    response = client.post(
        CREATE,
        form_data(
            shop, customer=shop["customer"], action="confirm", lines=[(shop["shirt"], 1, "", "")]
        ),
    )
    order = Order.objects.get()
    assert order.status == "new"
    assert level(shop["shirt"], shop["warehouse"]) == (10, 0)
    assert ("error", "You may not confirm orders; the order stays new.") in messages_of(response)


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(CREATE)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_new_order_can_start_with_a_known_customer(client, login_as):
    from tests.orders.factories import make_customer as _make_customer

    login_as("sales")
    customer = _make_customer(name="Trần Thị Bích", phones=("0903 111 222",))
    html = client.get(reverse("orders:order_create"), {"customer": customer.pk}).content.decode()
    assert f'data-picked-customer="{customer.pk}"' in html
    assert f'name="customer" value="{customer.pk}"' in html
