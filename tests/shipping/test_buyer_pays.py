"""When the buyer pays shipping, our COD already carries the fee (cod_default), so the carrier
must not collect it a second time: it is told the shop pays (GHN payment_type_id 1, Viettel Post
ORDER_PAYMENT 3) and collects exactly our COD, over real HTTP against both sandboxes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shipping.services.parcels import cod_default
from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote

pytestmark = pytest.mark.django_db


def _buyer_pays(order, account, ship_spec):
    options = shipment_quote(order_id=order.pk, account_id=account.pk, spec=ship_spec(""))
    service = options[0]
    cod = cod_default(order=order, payer="buyer", fee=service.fee)
    assert cod == Decimal(330000) + service.fee
    shipment = shipment_create(
        order_id=order.pk,
        account_id=account.pk,
        spec=ship_spec(service.code, cod_amount=cod, payer="buyer"),
        service=ServiceChoice(code=service.code, name=service.name, level=service.level),
        user_id=None,
    )
    return shipment, cod


def test_ghn_collects_our_cod_once(ghn_sandbox, ghn_account, ship_order, ship_spec) -> None:
    shipment, cod = _buyer_pays(ship_order(), ghn_account, ship_spec)
    sent = ghn_sandbox.parcels[shipment.tracking_number].fields
    assert (sent["payment_type_id"], sent["cod_amount"]) == (1, int(cod))
    assert (shipment.payer, shipment.cod_amount) == ("buyer", cod)


def test_viettel_post_collects_our_cod_once(
    vtp_sandbox, vtp_account, ship_order, ship_spec
) -> None:
    shipment, cod = _buyer_pays(ship_order(), vtp_account, ship_spec)
    body = vtp_sandbox.parcels[shipment.tracking_number].body
    assert (body["ORDER_PAYMENT"], body["MONEY_COLLECTION"]) == (3, int(cod))
    assert (shipment.payer, shipment.cod_amount) == ("buyer", cod)
