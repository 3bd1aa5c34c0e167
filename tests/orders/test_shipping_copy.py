"""The order's copy of its delivery address (orders.services.orders.lines: shipping_set and
shipping_of) and a saved address as the services hold it (address_saved, address_as_input)."""

from __future__ import annotations

from orders.models import CustomerAddress, Order
from orders.services.customers import (
    AddressInput,
    CleanAddress,
    address_as_input,
    address_saved,
)
from orders.services.orders.lines import shipping_of, shipping_set

HANOI = CleanAddress(
    recipient_name="Trần Văn Bình",
    recipient_phone="+84987654321",
    country="VN",
    scheme="vn_3level",
    province="Hà Nội",
    district="Quận Cầu Giấy",
    ward="Phường Quan Hoa",
    postcode="",
    street="88 Cầu Giấy",
)


def test_shipping_is_copied_onto_the_order_field_by_field():
    order = Order()
    shipping_set(order, HANOI)
    assert (
        order.ship_name,
        order.ship_phone,
        order.ship_country,
        order.ship_scheme,
        order.ship_province,
        order.ship_district,
        order.ship_ward,
        order.ship_postcode,
        order.ship_street,
    ) == (
        "Trần Văn Bình",
        "+84987654321",
        "VN",
        "vn_3level",
        "Hà Nội",
        "Quận Cầu Giấy",
        "Phường Quan Hoa",
        "",
        "88 Cầu Giấy",
    )
    assert shipping_of(order) == HANOI


def test_no_address_keeps_the_orders_own():
    order = Order(ship_name="Somchai", ship_street="99/1 Sukhumvit Soi 11", ship_country="TH")
    shipping_set(order, None)
    assert (order.ship_name, order.ship_street, order.ship_country) == (
        "Somchai",
        "99/1 Sukhumvit Soi 11",
        "TH",
    )


def test_saved_address_as_the_services_take_it():
    saved = CustomerAddress(
        recipient_name="Somchai Jaidee",
        recipient_phone="+66812345678",
        country="TH",
        scheme="th",
        province="Bangkok",
        district="Watthana",
        ward="Khlong Toei Nuea",
        postcode="10110",
        street="99/1 Sukhumvit Soi 11",
        is_default=True,
    )
    clean = address_saved(saved)
    assert clean == CleanAddress(
        recipient_name="Somchai Jaidee",
        recipient_phone="+66812345678",
        country="TH",
        scheme="th",
        province="Bangkok",
        district="Watthana",
        ward="Khlong Toei Nuea",
        postcode="10110",
        street="99/1 Sukhumvit Soi 11",
    )
    assert address_as_input(clean) == AddressInput(
        recipient_name="Somchai Jaidee",
        recipient_phone="+66812345678",
        country="TH",
        scheme="th",
        province="Bangkok",
        district="Watthana",
        ward="Khlong Toei Nuea",
        postcode="10110",
        street="99/1 Sukhumvit Soi 11",
    )
