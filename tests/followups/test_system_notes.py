"""Notes written by the system (no user), as normal use produces them: a website order, then a
contact request from the same phone, then a second website order for that phone finishes the
request's follow-up as sold with a note that has no author."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from followups.models import ContactNote, ContactRequest
from orders.models import Order
from orders.services.websites import website_create
from tests.orders.factories import WarehouseFactory, stocked_variant

pytestmark = pytest.mark.django_db


def _order(number: str) -> dict:
    return {
        "id": number,
        "customer": {"name": "Trần Thị Bình", "phone": "0987 654 321"},
        "shipping_address": {
            "street": "45 Nguyễn Huệ",
            "ward": "Phường Bến Nghé",
            "district": "Quận 1",
            "province": "TP. Hồ Chí Minh",
        },
        "items": [{"sku": "AO-DO-M", "quantity": 1}],
        "payment_method": "cod",
    }


def _post(url: str, key: str, body: dict):
    return Client().post(
        url,
        data=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


@pytest.fixture
def second_order_placed(django_capture_on_commit_callbacks):
    """Order, contact request, second order, all through the website API with their
    after-commit work run: the contact request (pk) whose follow-up the system finished."""
    warehouse = WarehouseFactory(code="HCM01")
    stocked_variant(warehouse, 10, price="150000", vat="10", sku="AO-DO-M")
    _website, key = website_create(
        name="Shop", code="MAIN", warehouse_id=warehouse.pk, user_id=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _post("/api/v1/orders", key, _order("WEB-1")).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            "/api/v1/contact-requests",
            key,
            {"id": "REQ-1", "name": "Trần Thị Bình", "phone": "0987654321"},
        )
        assert response.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        assert _post("/api/v1/orders", key, _order("WEB-2")).status_code == 201
    request = ContactRequest.objects.get()
    second = Order.objects.get(external_number="WEB-2")
    assert (request.order_id, request.followup_state) == (second.pk, "finished")
    note = ContactNote.objects.get(followup__contact_request=request)
    assert (note.kind, note.user_id, note.outcome) == ("finished", None, "sold")
    return request.pk


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "System finished the follow-up: Sold."),
        ("vi", "Hệ thống đã kết thúc chăm sóc: Đã chốt đơn."),
        ("th", "ระบบ สิ้นสุดการติดตาม: ขายได้"),
    ],
)
def test_a_system_note_shows_as_system_on_the_request_page_and_panel(
    second_order_placed, client, login_as, language, sentence
):
    login_as("sales")
    client.cookies["crm_language"] = language
    page = client.get(reverse("followups:request_detail", args=[second_order_placed]))
    assert page.status_code == 200
    panel = client.get(
        reverse("followups:panel", args=["contact_request", second_order_placed]),
        headers={"HX-Request": "true"},
    )
    assert panel.status_code == 200
    for response in (page, panel):
        text = " ".join(response.content.decode().split())
        assert text.count(sentence) == 1
