"""POST /webhooks/shopee: no sign-in, no CSRF, no session; 200 with an empty body for a good
signature (the raw body stored, its shop's drain queued after the commit), 401 with an empty
body for a bad one (nothing stored). Once with the document's vector, once with the sandbox
pushing over real HTTP to a live server."""

from __future__ import annotations

import pytest
import requests
from django.test import Client, override_settings

from channels_sync.models import InboundPayload
from tests.channels_sync.test_pages import make_shop

pytestmark = pytest.mark.usefixtures("encryption_keys")

# marketplaces.md §1.7: key test_partner_key, URL https://crm.example.com/webhooks/shopee.
BODY = (
    b'{"data":{"items":[],"ordersn":"220810QSK8S7BX","status":"PROCESSED",'
    b'"completed_scenario":"","update_time":1660123127},"shop_id":727720655,"code":3,'
    b'"timestamp":1660123127}'
)
SIGNATURE = "d53e509c38b86bc4c0a42cc7084b8b03d2c3f499ead4b4098aba77c3ec3c3195"


@pytest.fixture
def webclient():
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
@override_settings(SITE_URL="https://crm.example.com")
def test_a_signed_push_is_stored_and_answered_empty(
    webclient, published, django_capture_on_commit_callbacks
):
    shop = make_shop()
    with django_capture_on_commit_callbacks(execute=True):
        response = webclient.post(
            "/webhooks/shopee", BODY, content_type="application/json", HTTP_AUTHORIZATION=SIGNATURE
        )
    assert (response.status_code, response.content) == (200, b"")
    assert "Set-Cookie" not in response
    payload = InboundPayload.objects.get()
    assert (payload.account_id, payload.kind, payload.status) == (shop.pk, "webhook", "pending")
    assert payload.body.encode() == BODY
    # an order push of a connected shop joins the shop's drain (one task per burst)
    assert published == [("channels_sync.drain_webhooks", {"account_id": shop.pk})]


@pytest.mark.django_db
@override_settings(SITE_URL="https://crm.example.com")
def test_a_bad_signature_gets_401_empty_and_nothing_is_stored(webclient, published, caplog):
    make_shop()
    response = webclient.post(
        "/webhooks/shopee", BODY, content_type="application/json", HTTP_AUTHORIZATION="0" * 64
    )
    assert (response.status_code, response.content) == (401, b"")
    assert InboundPayload.objects.count() == 0
    assert published == []
    assert "shopee push refused: bad signature" in caplog.text


@pytest.mark.django_db
def test_the_signature_is_checked_against_the_registered_address(webclient):
    """Without SITE_URL the address the request came in on is what was signed."""
    make_shop()
    response = webclient.post(
        "/webhooks/shopee",
        BODY,
        content_type="application/json",
        HTTP_AUTHORIZATION=SIGNATURE,
        HTTP_HOST="testserver",
    )
    assert response.status_code == 401  # signed for crm.example.com, received on testserver
    assert InboundPayload.objects.count() == 0


@pytest.mark.django_db
def test_other_methods_are_refused(webclient):
    assert webclient.get("/webhooks/shopee").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_pushes_over_http_and_gets_an_empty_200(live_server, shopee_sandbox):
    shopee_sandbox.add_shop(727720655, "Áo Thun Sài Gòn")
    item_id, _models = shopee_sandbox.add_item(
        727720655, "AO-DO-M", "Áo thun đỏ", price=150000, stock=5
    )
    shopee_sandbox.authorize(2001887, 727720655)
    shopee_sandbox.configure(callback_url=f"{live_server.url}/webhooks/shopee")
    shop = make_shop()
    # The first request of a process imports the URLconf (seconds): not what is measured here.
    assert requests.get(f"{live_server.url}/healthz", timeout=30).status_code == 200
    order_sn = shopee_sandbox.place_order(727720655, [(item_id, 0, 1)])
    assert shopee_sandbox.flush_pushes(timeout=10)
    deliveries = shopee_sandbox.deliveries
    assert [(d.code, d.status, d.ok, d.empty_body) for d in deliveries] == [(3, 200, True, True)]
    payload = InboundPayload.objects.get()
    assert (payload.account_id, payload.external_id) == (shop.pk, order_sn)
