"""GHN callbacks: the sandbox POSTs them over real HTTP to a local receiver (with GHN's retries);
GhnAdapter verifies the URL's secret and parses every documented variant."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from common.external import PayloadError
from shipping.adapters.base import ParcelState
from shipping.adapters.ghn import GhnAdapter
from shipping.sandbox.ghn_state import STATUSES
from tests.shipping.conftest_ghn import GHN_CALLBACK_SECRET

ICT = timezone(timedelta(hours=7))
# A.9, in the doc's order.
DOCUMENTED = {
    "ready_to_pick": ParcelState.CREATED,
    "picking": ParcelState.PICKING,
    "money_collect_picking": ParcelState.PICKING,
    "cancel": ParcelState.CANCELLED,
    "picked": ParcelState.PICKED_UP,
    "storing": ParcelState.IN_TRANSIT,
    "transporting": ParcelState.IN_TRANSIT,
    "sorting": ParcelState.IN_TRANSIT,
    "delivering": ParcelState.DELIVERING,
    "money_collect_delivering": ParcelState.DELIVERING,
    "delivered": ParcelState.DELIVERED,
    "delivery_fail": ParcelState.DELIVERY_FAILED,
    "waiting_to_return": ParcelState.WAITING_ACTION,
    "return": ParcelState.RETURNING,
    "return_transporting": ParcelState.RETURNING,
    "return_sorting": ParcelState.RETURNING,
    "returning": ParcelState.RETURNING,
    "return_fail": ParcelState.RETURNING,
    "returned": ParcelState.RETURNED,
    "exception": ParcelState.EXCEPTION,
    "damage": ParcelState.DAMAGED,
    "lost": ParcelState.LOST,
}
SAMPLE = {  # GHN#47's sample, made valid JSON
    "CODAmount": 3000000,
    "CODTransferDate": None,
    "ClientOrderCode": "",
    "ConvertedWeight": 200,
    "Description": "Tạo đơn hàng",
    "Fee": {"Insurance": 17500, "MainService": 53900, "PickRemoteAreasFee": 53900, "Total": 0},
    "Height": 10,
    "IsPartialReturn": False,
    "Length": 10,
    "OrderCode": "Z82BS",
    "PartialReturnCode": "",
    "PaymentType": 1,
    "Reason": "",
    "ReasonCode": "",
    "ShopID": 81558,
    "Status": "ready_to_pick",
    "Time": "2021-11-11T03:52:50.158Z",
    "TotalFee": 71400,
    "Type": "create",
    "Warehouse": "Bưu Cục 229 Quan Nhân-Q.Thanh Xuân-HN",
    "Weight": 10,
    "Width": 10,
}


def _parse(body: dict | list) -> list:
    return GhnAdapter.parse_webhook(json.dumps(body).encode())


def _create(adapter, sandbox, request) -> str:
    code = adapter.create(request=request).tracking_number
    assert sandbox.flush_callbacks()
    return code


def _events(receiver) -> list:
    return [e for _, body in receiver.received for e in GhnAdapter.parse_webhook(body)]


# -- the status table -------------------------------------------------------------------------


def test_every_documented_status_is_mapped():
    assert dict(GhnAdapter.STATUS_MAP) == DOCUMENTED
    assert set(STATUSES) == set(DOCUMENTED)


# -- verification -----------------------------------------------------------------------------


def test_a_delivered_callback_verifies(ghn_adapter, ghn_sandbox, ghn_callbacks, ghn_request):
    _create(ghn_adapter, ghn_sandbox, ghn_request)
    path, body = ghn_callbacks.received[0]
    query = dict(parse_qsl(urlsplit(path).query))
    assert urlsplit(path).path == "/webhooks/ghn"
    assert GhnAdapter.verify_webhook(secret=GHN_CALLBACK_SECRET, body=body, headers={}, query=query)


@pytest.mark.parametrize(
    ("secret", "query", "ok"),
    [
        ("s3cret", {"token": "s3cret"}, True),
        ("s3cret", {"Token": "s3cret"}, True),
        ("s3cret", {"token": "s3cres"}, False),
        ("s3cret", {"token": ""}, False),
        ("s3cret", {}, False),
        ("", {"token": ""}, False),  # no secret configured: nothing is ours
        ("", {}, False),
    ],
)
def test_verify(secret, query, ok):
    body = json.dumps(SAMPLE).encode()
    assert GhnAdapter.verify_webhook(secret=secret, body=body, headers={}, query=query) is ok


# -- parsing what the sandbox sends -----------------------------------------------------------


def test_the_create_callback(ghn_adapter, ghn_sandbox, ghn_callbacks, ghn_request):
    code = _create(ghn_adapter, ghn_sandbox, ghn_request)
    (event,) = _events(ghn_callbacks)
    assert (event.tracking_number, event.reference, event.state, event.carrier_status) == (
        code,
        "SO-1001-1",
        ParcelState.CREATED,
        "ready_to_pick",
    )
    assert (event.cod_amount, event.fee, event.weight_g, event.reason) == (
        Decimal(350000),
        Decimal(40000),
        1200,
        "Tạo đơn hàng",
    )
    assert event.occurred_at.tzinfo is not None
    assert abs(event.occurred_at - ghn_sandbox.now()) < timedelta(seconds=5)
    assert event.raw["Type"] == "create"


def test_happy_path_callbacks(ghn_adapter, ghn_sandbox, ghn_callbacks, ghn_request):
    code = _create(ghn_adapter, ghn_sandbox, ghn_request)
    ghn_sandbox.advance(code, "happy")
    assert ghn_sandbox.flush_callbacks()
    assert [e.state for e in _events(ghn_callbacks)] == [
        ParcelState.CREATED,
        ParcelState.PICKING,
        ParcelState.PICKED_UP,
        ParcelState.IN_TRANSIT,
        ParcelState.IN_TRANSIT,
        ParcelState.IN_TRANSIT,
        ParcelState.DELIVERING,
        ParcelState.DELIVERED,
    ]


def test_failed_delivery_then_return(ghn_adapter, ghn_sandbox, ghn_callbacks, ghn_request):
    code = _create(ghn_adapter, ghn_sandbox, ghn_request)
    ghn_sandbox.advance(code, "failed_delivery")
    ghn_sandbox.advance(code, "return")
    assert ghn_sandbox.flush_callbacks()
    events = _events(ghn_callbacks)
    failed = next(e for e in events if e.carrier_status == "delivery_fail")
    assert (failed.state, failed.reason, failed.raw["ReasonCode"]) == (
        ParcelState.DELIVERY_FAILED,
        "Không liên lạc được với người nhận",
        "GHN-DFC1A0",
    )
    assert [e.carrier_status for e in events[-7:]] == [
        "delivery_fail",
        "waiting_to_return",
        "return",
        "return_transporting",
        "return_sorting",
        "returning",
        "returned",
    ]
    assert events[-1].state == ParcelState.RETURNED


def test_each_status_group(ghn_adapter, ghn_sandbox, ghn_callbacks, ghn_request):
    code = _create(ghn_adapter, ghn_sandbox, ghn_request)
    for status in DOCUMENTED:
        ghn_sandbox.set_status(code, status)
    assert ghn_sandbox.flush_callbacks()
    events = _events(ghn_callbacks)[1:]
    assert [(e.carrier_status, e.state) for e in events] == list(DOCUMENTED.items())


def test_a_cod_update_callback(ghn_adapter, ghn_sandbox, ghn_callbacks, ghn_request):
    code = _create(ghn_adapter, ghn_sandbox, ghn_request)
    ghn_adapter.update(tracking_number=code, changes={"cod_amount": Decimal(500000)})
    assert ghn_sandbox.flush_callbacks()
    event = _events(ghn_callbacks)[-1]
    assert (event.raw["Type"], event.state, event.cod_amount) == (
        "update_cod",
        ParcelState.CREATED,
        Decimal(500000),
    )


def test_retries_replay_the_same_event(ghn_adapter, ghn_sandbox, ghn_callbacks, ghn_request):
    ghn_callbacks.fail_first = 2
    _create(ghn_adapter, ghn_sandbox, ghn_request)
    assert ghn_callbacks.answered == [500, 500, 200]
    assert [(d.attempt, d.status) for d in ghn_sandbox.deliveries] == [(1, 500), (2, 500), (3, 200)]
    keys = {e.key for e in _events(ghn_callbacks)}
    assert len(keys) == 1


def test_retries_stop_after_ten(ghn_adapter, ghn_sandbox, ghn_callbacks, ghn_request):
    ghn_callbacks.fail_first = 100
    ghn_sandbox.configure(retry_interval=0.01)
    _create(ghn_adapter, ghn_sandbox, ghn_request)
    assert [d.attempt for d in ghn_sandbox.deliveries] == list(range(1, 12))
    assert len(ghn_callbacks.received) == 11


# -- variants the doc lists -------------------------------------------------------------------


def test_the_docs_sample():
    (event,) = _parse(SAMPLE)
    assert (event.tracking_number, event.reference, event.state, event.carrier_status) == (
        "Z82BS",
        "",
        ParcelState.CREATED,
        "ready_to_pick",
    )
    assert event.occurred_at == datetime(2021, 11, 11, 3, 52, 50, 158000, tzinfo=UTC)
    assert (event.cod_amount, event.fee, event.weight_g) == (Decimal(3000000), Decimal(71400), 10)
    assert event.key == "Z82BS|ready_to_pick|2021-11-11T03:52:50.158000+00:00"


def test_capitalised_type_and_status_and_numbers_as_strings():
    body = {
        **SAMPLE,
        "Type": "Switch_status",
        "Status": "Delivery_Fail",
        "CODAmount": "3000000",
        "TotalFee": "71400",
        "Weight": "10",
        "Reason": "Khách hẹn giao lại",
    }
    (event,) = _parse(body)
    assert (event.state, event.carrier_status, event.reason) == (
        ParcelState.DELIVERY_FAILED,
        "delivery_fail",
        "Khách hẹn giao lại",
    )
    assert (event.cod_amount, event.fee, event.weight_g) == (Decimal(3000000), Decimal(71400), 10)


def test_a_naive_time_is_vietnam_time_and_offsets_are_kept():
    (naive,) = _parse({**SAMPLE, "Time": "2021-11-11 10:52:50"})
    (offset,) = _parse({**SAMPLE, "Time": "2021-11-11T10:52:50+07:00"})
    assert naive.occurred_at == offset.occurred_at == datetime(2021, 11, 11, 10, 52, 50, tzinfo=ICT)


def test_snake_case_keys_a_list_body_and_the_fee_total_fallback():
    body = [
        {"order_code": "A1", "status": "picked", "time": 1636602770, "fee": {"total": 25000}},
        {"OrderCode": "A2", "Status": "lost", "Time": "2021-11-11T03:52:50Z", "TotalFee": 0},
    ]
    first, second = _parse(body)
    assert (first.tracking_number, first.state, first.fee) == (
        "A1",
        ParcelState.PICKED_UP,
        Decimal(25000),
    )
    assert first.occurred_at == datetime(2021, 11, 11, 3, 52, 50, tzinfo=UTC)
    assert (second.state, second.fee, second.cod_amount) == (ParcelState.LOST, Decimal(0), None)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (b"{not json", "bad_json", "body"),
        (b"[1, 2]", "bad_json", "body"),
        (b"[]", "bad_json", "body"),
        (json.dumps({**SAMPLE, "Status": "teleported"}).encode(), "unknown_status", "status"),
        (json.dumps({**SAMPLE, "OrderCode": ""}).encode(), "missing_field", "OrderCode"),
        (json.dumps({**SAMPLE, "Time": None}).encode(), "missing_field", "Time"),
        (json.dumps({**SAMPLE, "Time": "yesterday"}).encode(), "bad_time", "Time"),
        (json.dumps({**SAMPLE, "CODAmount": "lots"}).encode(), "bad_number", "CODAmount"),
    ],
)
def test_unusable_callbacks(body, code, field):
    with pytest.raises(PayloadError) as caught:
        GhnAdapter.parse_webhook(body)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_callback_body_without_a_receiver(ghn_adapter, ghn_sandbox, ghn_request):
    code = ghn_adapter.create(request=ghn_request).tracking_number
    ghn_sandbox.advance(code, "happy", until="picked")
    (event,) = GhnAdapter.parse_webhook(ghn_sandbox.callback_body(code))
    assert (event.tracking_number, event.state, event.raw["Type"]) == (
        code,
        ParcelState.PICKED_UP,
        "switch_status",
    )
    assert ghn_sandbox.deliveries == []  # no callback URL registered: nothing was sent
