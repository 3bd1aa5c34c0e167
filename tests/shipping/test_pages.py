"""The shipping pages: carrier accounts (owner/manager), the order's Shipping panel over the
GHN sandbox (quote, create, an address error naming the field, cancel), labels, the list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from common.money import money_input
from shipping.models import CarrierAccount, Shipment

HX = {"HTTP_HX_REQUEST": "true"}


def _form(account, **changes):
    data = {
        "account": str(account.pk),
        "weight_g": "1200",
        "length_cm": "20",
        "width_cm": "15",
        "height_cm": "10",
        "cod_amount": "330.000",
        "insurance_value": "300.000",
        "payer": "shop",
        "viewing": "allow_viewing",
        "note": "Gọi trước khi giao",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_carrier_accounts_are_for_owner_and_manager(client, login_as):
    login_as("sales")
    assert client.get(reverse("shipping:account_list")).status_code == 403
    login_as("manager")
    assert client.get(reverse("shipping:account_list")).status_code == 200


@pytest.mark.django_db
def test_adding_a_ghn_account_keeps_the_token_secret(
    client, login_as, encryption_keys, ship_warehouse
):
    login_as("owner")
    response = client.post(
        reverse("shipping:account_create"),
        {
            "carrier": "ghn",
            "name": "GHN kho 1",
            "warehouse": str(ship_warehouse.pk),
            "token": "tok-123-secret",
            "shop_id": "885",
            "sender_province": "TP. Hồ Chí Minh",
            "sender_district": "Quận 1",
            "sender_ward": "Phường Bến Nghé",
            "default_weight_g": "500",
            "default_length_cm": "20",
            "default_width_cm": "15",
            "default_height_cm": "10",
            "active": "on",
        },
    )
    assert response.status_code == 302
    account = CarrierAccount.objects.get()
    assert (account.token, account.shop_id) == ("tok-123-secret", "885")
    assert account.base_url == "https://online-gateway.ghn.vn/shiip/public-api"
    assert len(account.webhook_secret) >= 32
    page = client.get(reverse("shipping:account_list")).content.decode()
    assert "tok-123-secret" not in page
    assert f"/shipping/webhooks/ghn/{account.pk}/?token={account.webhook_secret}" in page
    edit = client.get(reverse("shipping:account_edit", args=[account.pk])).content.decode()
    assert "tok-123-secret" not in edit


@pytest.mark.django_db
def test_a_ghn_account_needs_its_token_and_shop_id(client, login_as, ship_warehouse):
    login_as("owner")
    response = client.post(
        reverse("shipping:account_create"),
        {"carrier": "ghn", "name": "GHN", "warehouse": str(ship_warehouse.pk), "active": "on"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"token", "shop_id", "sender_province", "sender_ward"}
    assert CarrierAccount.objects.count() == 0


@pytest.mark.django_db
def test_the_order_page_carries_the_shipping_panel_with_defaults(
    client, login_as, ghn_account, ship_order
):
    order = ship_order()
    login_as("warehouse")
    detail = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert f'hx-get="{reverse("shipping:panel", args=[order.pk])}"' in detail

    panel = client.get(reverse("shipping:panel", args=[order.pk]), **HX)
    html = panel.content.decode()
    assert panel.status_code == 200
    assert 'data-testid="shipment-form"' in html
    form = panel.context["form"]
    assert form.initial["cod_amount"] == 330000
    assert (form.initial["weight_g"], form.initial["length_cm"]) == (500, 20)
    assert panel.context["volumetric"] == 600  # 20 x 15 x 10 cm / 5000
    # The account says where the parcel is picked up.
    assert f'value="{ghn_account.pk}" selected>GHN Quận 1 · HCM01 Kho Quận 1</option>' in html


@pytest.mark.django_db
def test_quote_then_create_from_the_panel(client, login_as, ghn_sandbox, ghn_account, ship_order):
    order = ship_order()
    login_as("warehouse")
    quoted = client.post(reverse("shipping:quote", args=[order.pk]), _form(ghn_account), **HX)
    assert quoted.status_code == 200
    options = quoted.context["options"]
    assert options
    value, option = options[0]

    created = client.post(
        reverse("shipping:create", args=[order.pk]), _form(ghn_account, service=value), **HX
    )

    assert created.status_code == 200, (created.context["error"], created.context["form"].errors)
    shipment = Shipment.objects.get(order=order)
    assert (shipment.service_code, shipment.service_name) == (option.code, option.name)
    assert shipment.note == "Gọi trước khi giao"
    assert shipment.tracking_number in created.content.decode()
    assert 'data-testid="shipment-form"' not in created.content.decode()


@pytest.mark.django_db
def test_an_address_the_carrier_cannot_resolve_names_the_field(
    client, login_as, ghn_sandbox, ghn_account, ship_order
):
    order = ship_order(ward="Phường Không Có")
    login_as("warehouse")
    response = client.post(
        reverse("shipping:create", args=[order.pk]), _form(ghn_account, service="53320||"), **HX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-field="ward"' in html
    assert "Phường Không Có" in html
    assert Shipment.objects.count() == 0


@pytest.mark.django_db
def test_create_without_a_service_quotes_and_asks_for_one(
    client, login_as, ghn_sandbox, ghn_account, ship_order
):
    order = ship_order()
    login_as("warehouse")
    response = client.post(reverse("shipping:create", args=[order.pk]), _form(ghn_account), **HX)
    assert response.status_code == 422
    assert response.context["options"]
    assert response.context["error"] == "Choose a service."
    assert Shipment.objects.count() == 0


@pytest.mark.django_db
def test_sales_see_the_panel_but_cannot_create(client, login_as, ghn_account, ship_order):
    order = ship_order()
    login_as("sales")
    panel = client.get(reverse("shipping:panel", args=[order.pk]), **HX)
    assert panel.status_code == 200
    assert 'data-testid="shipment-form"' not in panel.content.decode()
    response = client.post(reverse("shipping:create", args=[order.pk]), _form(ghn_account))
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.needs("weasyprint")
def test_labels_are_one_pdf(client, login_as, ghn_sandbox, ghn_account, ship_order, ship_spec):
    from shipping.services.shipments import ServiceChoice, shipment_create

    ids = []
    for _ in range(2):
        order = ship_order()
        ids.append(
            shipment_create(
                order_id=order.pk,
                account_id=ghn_account.pk,
                spec=ship_spec("53320"),
                service=ServiceChoice(code="53320"),
                user_id=None,
            ).pk
        )
    login_as("warehouse")
    one = client.get(reverse("shipping:label", args=[ids[0]]))
    assert one.status_code == 200
    assert one["Content-Type"] == "application/pdf"
    assert one.content.startswith(b"%PDF")
    many = client.post(reverse("shipping:labels"), {"ids": [str(i) for i in ids]})
    assert many.status_code == 200
    assert many["Content-Type"] == "application/pdf"
    assert many.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_staff_fix_of_the_address_is_remembered_and_used(
    client, login_as, ghn_sandbox, ghn_account, ship_order, ship_spec
):
    from shipping.models import AddressCodeFix
    from shipping.services.shipments import ServiceChoice, shipment_create

    order = ship_order(ward="P. Thach Thang cu")
    login_as("warehouse")
    refused = client.post(
        reverse("shipping:create", args=[order.pk]), _form(ghn_account, service="53320||"), **HX
    )
    assert refused.status_code == 422
    assert refused.context["fix_account_id"] == ghn_account.pk
    url = reverse("shipping:address_fix", args=[order.pk])
    lists = client.get(
        url, {"account": ghn_account.pk, "province": "203", "district": "1526"}, **HX
    )
    assert [p.code for p in lists.context["options"].wards] == ["40102", "40101"]

    wrong = client.post(
        url,
        {"account": ghn_account.pk, "province": "203", "district": "1526", "ward": "20103"},
        **HX,
    )
    assert wrong.status_code == 422
    assert wrong["HX-Retarget"] == f"#address-fix-{order.pk}"
    assert AddressCodeFix.objects.count() == 0

    saved = client.post(
        url,
        {"account": ghn_account.pk, "province": "203", "district": "1526", "ward": "40101"},
        **HX,
    )
    assert saved.status_code == 200
    fix = AddressCodeFix.objects.get()
    assert (fix.carrier, fix.province_code, fix.district_code, fix.ward_code) == (
        "ghn",
        "203",
        "1526",
        "40101",
    )
    assert fix.address_key == "tp. da nang|quan hai chau|p. thach thang cu"
    shipment = shipment_create(
        order_id=order.pk,
        account_id=ghn_account.pk,
        spec=ship_spec("53320"),
        service=ServiceChoice(code="53320"),
        user_id=None,
    )
    assert ghn_sandbox.parcels[shipment.tracking_number].fields["to_ward_code"] == "40101"


@pytest.mark.django_db
def test_when_the_buyer_pays_the_quote_adds_the_fee_to_the_cod(
    client, login_as, ghn_sandbox, ghn_account, ship_order
):
    order = ship_order()
    login_as("warehouse")
    quoted = client.post(
        reverse("shipping:quote", args=[order.pk]), _form(ghn_account, payer="buyer"), **HX
    )
    assert quoted.status_code == 200
    _value, first = quoted.context["options"][0]
    assert quoted.context["form"].data["cod_amount"] == money_input(330000 + first.fee, "VND")
    assert "The fee is in the COD; the carrier takes it from the COD it pays out." in (
        quoted.content.decode()
    )


@pytest.mark.django_db
def test_the_cod_follows_the_chosen_service_and_who_pays_until_staff_type_one(
    client, login_as, ghn_sandbox, ghn_account, ship_order
):
    order = ship_order()
    login_as("warehouse")
    url = reverse("shipping:quote", args=[order.pk])
    quoted = client.post(url, _form(ghn_account, payer="buyer"), **HX)
    (first_value, first), (second_value, second) = quoted.context["options"][:2]
    assert first.fee != second.fee
    auto = quoted.context["form"].data["cod_amount"]
    assert auto == money_input(330000 + first.fee, "VND")
    assert f'name="cod_auto" value="{auto}"' in quoted.content.decode()

    # The second service chosen (its radio re-quotes): the COD carries its fee.
    changed = client.post(
        url,
        _form(ghn_account, payer="buyer", cod_amount=auto, cod_auto=auto, service=second_value),
        **HX,
    )
    follows = money_input(330000 + second.fee, "VND")
    assert changed.context["form"].data["cod_amount"] == follows
    assert changed.context["chosen"] == second_value

    # The shop pays after all: the order's balance again.
    shop = client.post(
        url,
        _form(
            ghn_account, payer="shop", cod_amount=follows, cod_auto=follows, service=second_value
        ),
        **HX,
    )
    assert shop.context["form"].data["cod_amount"] == "330.000"

    # An amount staff typed stays as typed.
    typed = client.post(
        url,
        _form(
            ghn_account, payer="buyer", cod_amount="350.000", cod_auto=follows, service=first_value
        ),
        **HX,
    )
    assert typed.context["form"].data["cod_amount"] == "350.000"


@pytest.mark.django_db
def test_send_again_and_cancel_from_the_panel(
    settings, client, login_as, ghn_sandbox, ghn_account, ship_order
):
    settings.SHIPPING_CARRIER_TIMEOUT = (2.0, 0.5)
    order = ship_order()
    login_as("warehouse")
    ghn_sandbox.slow(1.5, path="/v2/shipping-order/create")
    timed_out = client.post(
        reverse("shipping:create", args=[order.pk]), _form(ghn_account, service="53320||"), **HX
    )
    assert timed_out.status_code == 422
    assert 'data-testid="shipment-retry"' in timed_out.content.decode()
    pending = Shipment.objects.get(order=order)
    assert pending.state == "pending"

    sent = client.post(reverse("shipping:retry", args=[pending.pk]), **HX)
    assert sent.status_code == 200
    shipment = Shipment.objects.get(pk=pending.pk)
    assert shipment.state == "created"
    assert ghn_sandbox.call_count("/v2/shipping-order/create") == 1

    cancelled = client.post(reverse("shipping:cancel", args=[shipment.pk]), **HX)
    assert cancelled.status_code == 200
    assert Shipment.objects.get(pk=shipment.pk).state == "cancelled"
    assert 'data-testid="shipment-form"' in cancelled.content.decode()  # ship it again


@pytest.mark.django_db
def test_editing_an_account_with_a_blank_token_keeps_it(client, login_as, ghn_account):
    login_as("manager")
    url = reverse("shipping:account_edit", args=[ghn_account.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "carrier"}
    data.update(name="GHN Quận 1 (kho chính)", token="", active="on")
    response = client.post(url, data)
    assert response.status_code == 302
    account = CarrierAccount.objects.get(pk=ghn_account.pk)
    assert account.name == "GHN Quận 1 (kho chính)"
    assert account.token == ghn_account.token
    assert account.carrier == "ghn"


@pytest.mark.django_db
def test_a_viettel_post_account_shows_its_callback_token(
    client, login_as, encryption_keys, ship_warehouse
):
    from shipping.services.accounts import AccountInput, carrier_account_save

    account = carrier_account_save(
        data=AccountInput(
            carrier="viettel_post",
            name="VTP",
            warehouse_id=ship_warehouse.pk,
            username="shop@vtp",
            password="pw-secret-1",
            sender_province="Hà Nội",
            sender_ward="Hàng Bạc",
        )
    )
    login_as("owner")
    page = client.get(reverse("shipping:account_list")).content.decode()
    assert f"/shipping/webhooks/viettel-post/{account.pk}/" in page
    assert account.webhook_secret in page
    assert "pw-secret-1" not in page
    assert account.base_url == "https://partner.viettelpost.vn/v2"
