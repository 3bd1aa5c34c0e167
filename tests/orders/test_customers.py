"""Customers: phones, addresses, tax codes, search, duplicates and merge."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.errors import CustomerError, InvalidPhoneNumber, InvalidTaxCode
from orders.models import Customer, CustomerAddress, CustomerPhone, OrderEvent, Tag
from orders.selectors import customer_find_duplicates, customer_search, customers_with_phone
from orders.services.customer_merge import customer_merge
from orders.services.customers import (
    AddressInput,
    CustomerInput,
    address_clean,
    customer_address_delete,
    customer_address_save,
    customer_create,
    customer_update,
)
from orders.services.orders.transitions import order_complete, order_confirm, order_ship
from orders.signals import customer_merged
from tests.orders.factories import (
    BANGKOK_ADDRESS,
    HCM_ADDRESS,
    WarehouseFactory,
    make_customer,
    make_order,
    stocked_variant,
)

pytestmark = pytest.mark.django_db


def phones_of(customer):
    return list(
        CustomerPhone.objects.filter(customer=customer)
        .order_by("-is_primary", "e164")
        .values_list("e164", "digits", "is_primary")
    )


def test_create_normalises_phones_emails_tags_and_tax_code(settings):
    settings.SHOP_CURRENCY = "VND"
    customer = customer_create(
        data=CustomerInput(
            name="  Trần  Thị Bích ",
            phones=["0912 345 678", "+84 912345678", "028 3822 1234"],
            emails=["Bich@Example.vn", "bich@example.vn"],
            company="Công ty ABC",
            tax_code="0100109106-001",
            tags=["VIP", "vip", "Sỉ"],
        ),
        addresses=[HCM_ADDRESS],
    )
    customer.refresh_from_db()
    assert customer.name == "Trần Thị Bích"
    assert customer.emails == ["bich@example.vn"]
    assert customer.tax_code == "0100109106-001"
    assert sorted(customer.tags.values_list("name", flat=True)) == ["Sỉ", "VIP"]
    assert phones_of(customer) == [
        ("+84912345678", "912345678", True),
        ("+842838221234", "2838221234", False),
    ]
    assert customer.search_text == (
        "tran thi bich cong ty abc 0100109106-001 bich@example.vn "
        "0912345678 84912345678 02838221234 842838221234"
    )
    address = customer.addresses.get()
    assert (address.scheme, address.recipient_phone, address.is_default) == (
        "vn_3level",
        "+84912345678",
        True,
    )
    assert (customer.orders_count, customer.revenue) == (0, Decimal("0"))


def test_thai_shop_reads_thai_local_numbers_and_tax_ids(settings):
    settings.SHOP_CURRENCY = "THB"
    customer = customer_create(
        data=CustomerInput(name="Somchai", phones=["081-234-5678"], tax_code="0-1075-44000-10-8"),
        addresses=[BANGKOK_ADDRESS],
    )
    assert phones_of(customer) == [("+66812345678", "812345678", True)]
    assert customer.tax_code == "0107544000108"
    address = customer.addresses.get()
    assert (address.scheme, address.ward, address.postcode) == ("th", "Khlong Toei Nuea", "10110")


def test_tags_are_shared_case_insensitively():
    make_customer("A", phones=("0912345678",), tags=["VIP"])
    make_customer("B", phones=("0912345679",), tags=["vip"])
    assert Tag.objects.count() == 1
    assert Tag.objects.get().customers.count() == 2


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (CustomerInput(name=" "), CustomerError),
        (CustomerInput(name="A", phones=["12345"]), InvalidPhoneNumber),
        (CustomerInput(name="A", tax_code="0100109107"), InvalidTaxCode),
        (CustomerInput(name="A", emails=["not-an-email"]), CustomerError),
    ],
)
def test_invalid_customer_data_creates_nothing(data, error):
    with pytest.raises(error):
        customer_create(data=data)
    assert Customer.objects.count() == 0
    assert CustomerPhone.objects.count() == 0


def test_update_keeps_phones_that_stay_and_moves_the_primary():
    customer = make_customer(phones=("0912345678", "0987654321"))
    kept = CustomerPhone.objects.get(e164="+84987654321")
    customer_update(
        customer_id=customer.pk,
        data=CustomerInput(name="Nguyễn Văn An", phones=["0987 654 321", "0901 111 222"]),
    )
    assert phones_of(customer) == [
        ("+84987654321", "987654321", True),
        ("+84901111222", "901111222", False),
    ]
    assert CustomerPhone.objects.get(e164="+84987654321").pk == kept.pk
    customer.refresh_from_db()
    assert "0901111222" in customer.search_text
    assert "0912345678" not in customer.search_text


# --- Addresses --------------------------------------------------------------------------------


def test_vietnamese_two_level_address_needs_no_district():
    clean = address_clean(
        AddressInput(
            recipient_name="An",
            street="1 Đồng Khởi",
            ward="Phường Sài Gòn",
            province="TP. Hồ Chí Minh",
            country="VN",
        )
    )
    assert (clean.scheme, clean.district) == ("vn_2level", "")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scheme": "vn_3level", "district": ""}, "district"),
        ({"ward": ""}, "ward"),
        ({"street": ""}, "street"),
        ({"province": ""}, "province"),
        ({"recipient_name": ""}, "recipient"),
        ({"country": "SG"}, "Vietnam and Thailand"),
        ({"scheme": "th"}, "does not exist"),
        ({"postcode": "1234"}, "not a postcode"),
    ],
)
def test_invalid_vietnamese_addresses(changes, message):
    import dataclasses

    with pytest.raises(CustomerError, match=message):
        address_clean(dataclasses.replace(HCM_ADDRESS, **changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"postcode": ""}, "postcode"), ({"district": ""}, "district"), ({"ward": ""}, "subdistrict")],
)
def test_thai_addresses_need_district_subdistrict_and_postcode(changes, message):
    import dataclasses

    with pytest.raises(CustomerError, match=message):
        address_clean(dataclasses.replace(BANGKOK_ADDRESS, **changes))


def test_address_default_moves_and_survives_deletion():
    customer = make_customer()
    first = customer.addresses.get()
    second = customer_address_save(
        customer_id=customer.pk,
        data=AddressInput(
            recipient_name="An",
            street="5 Hàng Bài",
            ward="Phường Hoàn Kiếm",
            province="Hà Nội",
            country="VN",
        ),
    )
    assert list(CustomerAddress.objects.filter(is_default=True).values_list("pk", flat=True)) == [
        first.pk
    ]
    customer_address_save(
        customer_id=customer.pk, address_id=second.pk, data=HCM_ADDRESS, make_default=True
    )
    assert list(CustomerAddress.objects.filter(is_default=True).values_list("pk", flat=True)) == [
        second.pk
    ]
    customer_address_delete(customer_id=customer.pk, address_id=second.pk)
    assert list(CustomerAddress.objects.filter(is_default=True).values_list("pk", flat=True)) == [
        first.pk
    ]
    other = make_customer("B", phones=("0987654321",))
    with pytest.raises(CustomerError):
        customer_address_delete(customer_id=other.pk, address_id=first.pk)
    assert CustomerAddress.objects.filter(pk=first.pk).exists()


# --- Search -----------------------------------------------------------------------------------


def test_search_by_any_part_of_phone_or_name():
    an = make_customer("Nguyễn Văn An", phones=("0912 345 678",))
    binh = make_customer("Lê Bình", phones=("0987 654 321",), company="Đại Phát")
    assert list(customer_search(q="345 67")) == [an]
    assert list(customer_search(q="0912")) == [an]
    assert list(customer_search(q="+84 98765")) == [binh]
    assert list(customer_search(q="nguyen van")) == [an]
    assert list(customer_search(q="DAI PHAT")) == [binh]
    assert list(customer_search(q="")) == [binh, an]
    assert list(customer_search(q="zzz")) == []
    assert list(customer_search(q="Bình 0987")) == [binh]  # every word, in any order
    assert list(customer_search(q="Bình 0912")) == []
    assert list(customer_search(q="091-234")) == [an]


def test_customers_with_phone_in_any_format():
    an = make_customer(phones=("0912345678",))
    assert customers_with_phone(phone="+84 912 345 678") == [an]
    assert customers_with_phone(phone="84912345678") == [an]
    assert customers_with_phone(phone="nonsense") == []


# --- Duplicates and merge ---------------------------------------------------------------------


def test_duplicates_are_found_by_phone():
    an = make_customer("An", phones=("0912345678",))
    an_shopee = make_customer("an_nguyen99", phones=("+84 912 345 678", "0901111222"))
    other = make_customer("Bình", phones=("0987654321",))
    assert customer_find_duplicates(customer_id=an.pk) == [an_shopee]
    assert customer_find_duplicates(customer_id=an_shopee.pk) == [an]
    assert customer_find_duplicates(customer_id=other.pk) == []


def test_merge_moves_everything_and_recomputes_totals(django_capture_on_commit_callbacks):
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 10, price="100000")
    target = make_customer("An", phones=("0912345678",), tags=["VIP"])
    dup = make_customer(
        "an_nguyen99",
        phones=("0912345678", "0901111222"),
        emails=["an@example.vn"],
        tags=["Shopee"],
        tax_code="0100109106",
        notes="Hay đổi size",
        addresses=[BANGKOK_ADDRESS],
    )
    order = make_order(dup, warehouse, [(variant, 2)])
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    order_complete(order_id=order.pk, user_id=None)
    dup.refresh_from_db()
    assert (dup.orders_count, dup.revenue) == (1, Decimal("200000"))

    received = []

    def on_merge(sender, **kwargs):
        received.append(kwargs)

    customer_merged.connect(on_merge)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            merged = customer_merge(target_id=target.pk, duplicate_ids=[dup.pk], user_id=None)
    finally:
        customer_merged.disconnect(on_merge)

    assert received == [{"signal": customer_merged, "target_id": target.pk, "merged_ids": [dup.pk]}]
    assert (merged.orders_count, merged.revenue) == (1, Decimal("200000"))
    assert list(merged.orders.values_list("pk", flat=True)) == [order.pk]
    assert phones_of(merged) == [
        ("+84912345678", "912345678", True),
        ("+84901111222", "901111222", False),
    ]
    assert merged.emails == ["an@example.vn"]
    assert merged.tax_code == "0100109106"
    assert merged.notes == "Hay đổi size"
    assert sorted(merged.tags.values_list("name", flat=True)) == ["Shopee", "VIP"]
    assert list(merged.addresses.order_by("pk").values_list("recipient_name", "is_default")) == [
        ("Nguyễn Văn An", True),
        ("Somchai Jaidee", False),
    ]
    assert "0901111222" in merged.search_text
    dup.refresh_from_db()
    assert (dup.merged_into_id, dup.orders_count, dup.revenue, dup.search_text) == (
        target.pk,
        0,
        Decimal("0"),
        "",
    )
    assert dup.phones.count() == 0
    assert dup.tags.count() == 0
    event = OrderEvent.objects.filter(order=order, kind="edited").get()
    assert event.data == {"customer": [dup.pk, target.pk], "merged": True}
    assert customer_find_duplicates(customer_id=target.pk) == []
    assert list(customer_search(q="an_nguyen99")) == []


def test_merge_refusals_change_nothing():
    a = make_customer("A", phones=("0912345678",))
    b = make_customer("B", phones=("0912345678",))
    with pytest.raises(CustomerError):
        customer_merge(target_id=a.pk, duplicate_ids=[a.pk])
    with pytest.raises(CustomerError):
        customer_merge(target_id=a.pk, duplicate_ids=[])
    with pytest.raises(CustomerError):
        customer_merge(target_id=a.pk, duplicate_ids=[b.pk, 999999])
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0
    customer_merge(target_id=a.pk, duplicate_ids=[b.pk])
    with pytest.raises(CustomerError, match="merged into another customer"):
        customer_merge(target_id=b.pk, duplicate_ids=[a.pk])
    with pytest.raises(CustomerError, match="merged into another customer"):
        customer_update(customer_id=b.pk, data=CustomerInput(name="B2"))
