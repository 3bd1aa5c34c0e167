"""orders.services.manual: the phone order page's save, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.errors import CustomerError, OrderError
from orders.models import Customer, CustomerAddress, Order
from orders.services.customers import AddressInput
from orders.services.manual import ManualOrder, NewCustomer, order_save_manual
from orders.services.orders.lines import LineInput
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import HCM_ADDRESS, make_customer, stocked_variant

pytestmark = pytest.mark.django_db

TYPED = AddressInput(
    recipient_name="", street="5 Hai Bà Trưng", ward="Phường Tân Định", province="TP. Hồ Chí Minh"
)


@pytest.fixture
def stock():
    warehouse = WarehouseFactory()
    return warehouse, stocked_variant(warehouse, 5, price="150000")


def order_of(warehouse, variant, **fields) -> ManualOrder:
    return ManualOrder(
        lines=[LineInput(variant_id=variant.pk, quantity=1)],
        channel="phone",
        payment_method="cod",
        warehouse_id=warehouse.pk,
        **fields,
    )


def test_a_new_customer_is_created_with_the_order_and_keeps_the_typed_address(stock):
    warehouse, variant = stock
    order = order_save_manual(
        data=order_of(
            warehouse,
            variant,
            new_customer=NewCustomer(name="Chị Thu", phone="0903 222 333"),
            new_address=TYPED,
            save_address=True,
        ),
        user_id=None,
        may_add_customer=True,
    )
    customer = Customer.objects.get()
    assert (order.customer_id, order.ship_name, order.ship_phone) == (
        customer.pk,
        "Chị Thu",
        "+84903222333",
    )
    assert list(customer.addresses.values_list("street", flat=True)) == ["5 Hai Bà Trưng"]


def test_a_refused_order_leaves_no_new_customer_behind(stock):
    warehouse, variant = stock
    with pytest.raises(OrderError, match="discount"):
        order_save_manual(
            data=order_of(
                warehouse,
                variant,
                new_customer=NewCustomer(name="Chị Thu", phone="0903 222 333"),
                new_address=TYPED,
                save_address=True,
                discount_total=Decimal("999999"),
            ),
            user_id=None,
            may_add_customer=True,
        )
    assert (Customer.objects.count(), CustomerAddress.objects.count(), Order.objects.count()) == (
        0,
        0,
        0,
    )


def test_staff_who_may_not_add_customers_are_refused(stock):
    warehouse, variant = stock
    with pytest.raises(CustomerError, match="You may not add customers"):
        order_save_manual(
            data=order_of(
                warehouse, variant, new_customer=NewCustomer(name="X"), new_address=TYPED
            ),
            user_id=None,
        )
    assert Customer.objects.count() == 0


def test_an_address_of_another_customer_is_refused(stock):
    warehouse, variant = stock
    mine, other = make_customer(), make_customer(name="Trần B", phones=("0987 000 111",))
    foreign = other.addresses.get()
    with pytest.raises(CustomerError, match="does not belong"):
        order_save_manual(
            data=order_of(warehouse, variant, customer_id=mine.pk, address_id=foreign.pk),
            user_id=None,
        )
    assert Order.objects.count() == 0


def test_a_typed_address_for_a_known_customer_defaults_to_their_name_and_phone(stock):
    warehouse, variant = stock
    customer = make_customer(addresses=(HCM_ADDRESS,))
    order = order_save_manual(
        data=order_of(
            warehouse,
            variant,
            customer_id=customer.pk,
            wants_new_address=True,
            new_address=TYPED,
            save_address=True,
        ),
        user_id=None,
        may_save_address=False,  # not allowed: the order gets it, the customer does not
    )
    assert (order.ship_name, order.ship_street) == ("Nguyễn Văn An", "5 Hai Bà Trưng")
    assert customer.addresses.count() == 1
    with pytest.raises(CustomerError, match="Enter the delivery address"):
        order_save_manual(
            data=order_of(warehouse, variant, customer_id=customer.pk, wants_new_address=True),
            user_id=None,
        )
