"""The "needs action" list (a failed delivery to decide on, a returned parcel to receive) and
the receive-returned-parcel form, in Thai and Vietnamese, in Chromium over the GHN sandbox:
one line received good, one damaged; the order ends returned. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from orders.models import Order
from shipping.models import Shipment
from shipping.services.actions import shipment_return
from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote
from tests.orders.factories import level
from tests.shipping.conftest_actions import two_line_order  # noqa: F401 - fixtures
from tests.shipping.conftest_ghn import ghn_callbacks, ghn_sandbox  # noqa: F401
from tests.shipping.conftest_ship import (  # noqa: F401
    DA_NANG_ADDRESS,
    ghn_account,
    ghn_hook,
    ship_spec,
    ship_warehouse,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]


@pytest.fixture
def parcels(ghn_sandbox, ghn_callbacks, ghn_hook, ghn_account, two_line_order, ship_spec):  # noqa: F811
    """(failed, returned): a parcel waiting for a decision and one back at the shop."""
    from orders.services.orders.transitions import order_confirm
    from tests.orders.factories import make_customer, make_order

    order, shirt, mug = two_line_order
    customer = make_customer(
        "Lê Văn Cường", phones=("0905 999 888",), addresses=(DA_NANG_ADDRESS(),)
    )
    other = make_order(customer, order.warehouse, [(shirt, 1)])
    order_confirm(order_id=other.pk, user_id=None)

    def ship(order_id: int) -> Shipment:
        code = shipment_quote(order_id=order_id, account_id=ghn_account.pk, spec=ship_spec(""))[
            0
        ].code
        return shipment_create(
            order_id=order_id,
            account_id=ghn_account.pk,
            spec=ship_spec(code),
            service=ServiceChoice(code=code),
            user_id=None,
        )

    def deliver() -> None:
        assert ghn_sandbox.flush_callbacks()
        bodies = [body for _path, body in ghn_callbacks.received]
        ghn_callbacks.received.clear()
        for body in bodies:
            assert ghn_hook(body).status_code == 200

    returned, failed = ship(order.pk), ship(other.pk)
    for parcel in (returned, failed):
        ghn_sandbox.advance(parcel.tracking_number, "failed_delivery")
    deliver()
    shipment_return(shipment_id=returned.pk, user_id=None)
    ghn_sandbox.advance(returned.tracking_number, "return")
    deliver()
    failed.refresh_from_db()
    returned.refresh_from_db()
    assert (failed.state, returned.state) == ("waiting_action", "returned")
    return failed, returned, shirt, mug


def test_needs_action_and_receive_returned_parcel_in_thai_and_vietnamese(
    live_server,
    signed_in,
    make_user,
    parcels,
    ship_warehouse,  # noqa: F811
    artifacts,
):
    failed, returned, shirt, mug = parcels
    make_user("manager", username="quanly")

    for locale, tag in (("th-TH", "th"), ("vi-VN", "vi")):
        page = signed_in("quanly", next_url="/shipping/shipments/?needs_action=on", locale=locale)
        rows = page.locator('[data-testid="shipment-row"]')
        expect(rows).to_have_count(2)
        expect(page.locator('[data-testid="list-redeliver"]')).to_have_count(1)
        expect(page.locator('[data-testid="list-receive"]')).to_have_count(1)
        page.screenshot(path=str(artifacts / f"needs-action-{tag}.png"), full_page=True)

        page.locator('[data-testid="list-receive"]').click()
        form = page.locator('[data-testid="receive-returned-form"]')
        expect(form.locator('[data-testid="receive-line"]')).to_have_count(2)
        page.screenshot(path=str(artifacts / f"receive-returned-{tag}.png"), full_page=True)

    # The receive form is open in Vietnamese: count the mug as damaged and receive.
    lines = {line.sku: line.pk for line in Order.objects.get(pk=returned.order_id).lines.all()}
    page.fill(f"#id_good_{lines['MUG-1']}", "0")
    page.fill(f"#id_damaged_{lines['MUG-1']}", "1")
    page.locator('[data-testid="receive-submit"]').click()
    page.wait_for_url(f"{live_server.url}/shipping/shipments/?needs_action=on")
    expect(page.locator('[data-testid="shipment-row"]')).to_have_count(1)
    assert Order.objects.get(pk=returned.order_id).status == "returned"
    assert (level(shirt, ship_warehouse), level(mug, ship_warehouse)) == ((9, 0), (9, 0))

    # The failed one: a new address whose ward the carrier does not know is refused on the
    # field, nothing sent.
    page.locator(
        f'[data-testid="shipment-decision"] a[href*="/shipments/{failed.pk}/address/"]'
    ).click()
    form = page.locator('[data-testid="change-address-form"]')
    form.locator("#id_ward").fill("Phường Không Có")
    form.locator('[data-testid="change-address-submit"]').click()
    expect(form.locator(".field--error")).to_contain_text("Phường Không Có")
    page.screenshot(path=str(artifacts / "change-address-vi.png"), full_page=True)
    assert Shipment.objects.get(pk=failed.pk).needs_action is True


def test_deliver_again_from_the_order_panel_and_change_a_parcel(
    live_server,
    signed_in,
    make_user,
    parcels,
    ship_warehouse,  # noqa: F811
    ghn_sandbox,  # noqa: F811
    artifacts,
):
    failed, _returned, shirt, _mug = parcels
    make_user("manager", username="quanly")
    page = signed_in("quanly", next_url=f"/orders/{failed.order_id}/", locale="th-TH")
    panel = page.locator('[data-testid="shipping-panel"]')
    expect(panel.locator('[data-testid="shipment-redeliver"]')).to_be_visible()
    page.screenshot(path=str(artifacts / "shipping-panel-failed-th.png"), full_page=True)

    panel.locator('[data-testid="shipment-redeliver"]').click()
    expect(panel.locator('[data-testid="shipment-redeliver"]')).to_have_count(0)
    expect(panel.locator('[data-testid="shipment-update"]')).to_have_count(0)
    assert ghn_sandbox.parcels[failed.tracking_number].status == "storing"
    assert Shipment.objects.get(pk=failed.pk).needs_action is False

    # A parcel not picked up yet: weight and COD changed with the carrier.
    from orders.services.orders.transitions import order_confirm
    from shipping.services.shipments import ServiceChoice, shipment_create
    from tests.orders.factories import make_customer, make_order

    customer = make_customer(
        "Phạm Thị Dung", phones=("0905 111 222",), addresses=(DA_NANG_ADDRESS(),)
    )
    third = make_order(customer, ship_warehouse, [(shirt, 1)])
    order_confirm(order_id=third.pk, user_id=None)
    fresh = shipment_create(
        order_id=third.pk,
        account_id=failed.account_id,
        spec=_spec(failed),
        service=ServiceChoice(code=failed.service_code),
        user_id=None,
    )
    page = signed_in("quanly", next_url=f"/orders/{third.pk}/", locale="vi-VN")
    page.locator('[data-testid="shipment-update"]').click()
    form = page.locator('[data-testid="parcel-update-form"]')
    form.locator("#id_weight_g").fill("1500")
    form.locator("#id_cod_amount").fill("280.000")
    page.screenshot(path=str(artifacts / "parcel-update-vi.png"), full_page=True)
    form.locator('[data-testid="parcel-update-submit"]').click()
    page.wait_for_url(f"{live_server.url}/orders/{third.pk}/")
    fresh.refresh_from_db()
    assert (fresh.weight_g, fresh.cod_amount) == (1500, 280000)
    fields = ghn_sandbox.parcels[fresh.tracking_number].fields
    assert (fields["weight"], fields["cod_amount"]) == (1500, 280000)


def _spec(shipment: Shipment):
    from shipping.services.parcels import ParcelSpec

    return ParcelSpec(
        service_code=shipment.service_code,
        weight_g=shipment.weight_g,
        length_cm=shipment.length_cm,
        width_cm=shipment.width_cm,
        height_cm=shipment.height_cm,
        cod_amount=shipment.cod_amount,
        insurance_value=shipment.insurance_value,
        payer=shipment.payer,
        viewing=shipment.viewing,
    )
