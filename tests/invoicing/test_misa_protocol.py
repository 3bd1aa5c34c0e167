"""MISA wire format read tolerantly (key casing, ErrorCode null/""/0/number, numbers as
strings, Data as a JSON string or as JSON) and written exactly (Decimal numbers, GMT+7 dates);
the sandbox's envelope variants over real HTTP; concurrent numbering in one series."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from invoicing.adapters import misa_protocol as proto
from invoicing.adapters.base import InvoiceKind, PermanentError, TransientError
from invoicing.adapters.misa import MisaAdapter

D = Decimal
ICT = timezone(timedelta(hours=7))


def new_key() -> str:
    return str(uuid.uuid4())


@pytest.mark.parametrize("value", [None, "", 0, "0", "null"])
def test_error_code_empty_forms(value) -> None:
    assert proto.error_code(value) == ""


@pytest.mark.parametrize(("value", "code"), [("InvalidData", "InvalidData"), (401, "401")])
def test_error_code_given(value, code: str) -> None:
    assert proto.error_code(value) == code


def test_keys_any_casing() -> None:
    assert proto.ci({"success": True}, "Success") is True
    assert proto.ci({"DATA": "x"}, "Data") == "x"
    assert proto.ci({}, "Data", default=5) == 5


def test_data_as_string_or_json() -> None:
    assert proto.items('[{"RefID": "a"}]') == [{"RefID": "a"}]
    assert proto.items([{"RefID": "a"}]) == [{"RefID": "a"}]
    assert proto.items('{"RefID": "a"}') == [{"RefID": "a"}]
    assert proto.inner("http://x/y") == "http://x/y"
    assert proto.inner('"http://x/y"') == "http://x/y"
    assert proto.items(None) == []


def test_issued_reads_strings_and_numbers() -> None:
    invoice = proto.issued(
        {
            "refid": "k",
            "transactionId": "T1",
            "InvNo": 12,
            "InvSeries": "1C26TAA",
            "InvDate": "2026-12-07T00:00:00",
            "InvCode": None,
            "PublishStatus": "1",
        }
    )
    assert (invoice.key, invoice.lookup_code, invoice.number, invoice.series) == (
        "k",
        "T1",
        "12",
        "C26TAA",
    )
    assert invoice.template == "1"
    assert invoice.issued_at == datetime(2026, 12, 7, tzinfo=ICT)
    assert (invoice.tax_authority_code, invoice.status) == ("", "PublishStatus=1")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-07", datetime(2026, 12, 7, tzinfo=ICT)),
        ("2026-12-07T10:15:00+07:00", datetime(2026, 12, 7, 3, 15, tzinfo=UTC)),
        ("2026-12-07T03:15:00Z", datetime(2026, 12, 7, 3, 15, tzinfo=UTC)),
        ("07/12/2026", datetime(2026, 12, 7, tzinfo=ICT)),
        ("", None),
        ("soon", None),
    ],
)
def test_dates(raw: str, expected) -> None:
    assert proto.parse_datetime(raw) == expected


def test_template_kind_from_the_symbol_or_the_type() -> None:
    assert proto.template_info({"IPTemplateID": "g", "InvSeries": "2C26TBB"}).kind is (
        InvoiceKind.SALES
    )
    info = proto.template_info({"IPTemplateID": "g", "InvSeries": "C26TBB", "InvoiceType": 1})
    assert (info.series, info.kind) == ("C26TBB", InvoiceKind.VAT)
    assert proto.template_info({"InvSeries": "C26TBB", "InvoiceType": 9}).kind is None


def test_messages_joins_the_provider_words() -> None:
    document = {"Errors": ["Sai mã số thuế"], "DescriptionErrorCode": "Mô tả", "ErrorData": None}
    assert proto.messages(document) == "Sai mã số thuế; Mô tả"
    assert proto.messages({"errors": "Một lỗi", "errorData": {"Field": "X"}}) == (
        'Một lỗi; {"Field": "X"}'
    )


def test_dumps_writes_exact_decimals() -> None:
    assert proto.dumps({"a": D("894700"), "b": D("2.360"), "c": [D("-1.5E+3")], "d": "Đ"}) == (
        '{"a":894700,"b":2.36,"c":[-1500],"d":"Đ"}'
    )


def test_invoice_date_is_the_vietnamese_day(misa_request) -> None:
    late_utc = datetime(2026, 12, 6, 18, 30, tzinfo=UTC)  # 01:30 on the 7th in Hà Nội
    request = misa_request(new_key())
    body = proto.invoice_data(request, today=late_utc)
    assert body["InvDate"] == "2026-12-07"
    body = proto.invoice_data(
        replace(request, issued_at=late_utc - timedelta(hours=2)), today=late_utc
    )
    assert body["InvDate"] == "2026-12-06"


def test_camel_case_envelope(misa_adapter, misa_request, misa_control, misa_sandbox) -> None:
    misa_control.post("config", {"key_case": "camel"})
    assert len(misa_adapter.templates()) == 3
    issued = misa_adapter.issue(request=misa_request(new_key()))
    assert issued.number == "00000001"
    misa_control.post(
        "fault", {"kind": "validation", "path": "cancel", "code": "X", "message": "Y"}
    )
    with pytest.raises(PermanentError) as caught:
        misa_adapter.cancel(
            invoice=issued, reason="r", agreement_name="", agreement_date=date(2026, 12, 1)
        )
    assert (caught.value.code, caught.value.message) == ("X", "Y")
    assert not misa_sandbox.invoices[issued.lookup_code].cancelled


def test_duplicate_ref_error_then_found(
    misa_adapter, misa_request, misa_control, misa_sandbox
) -> None:
    request = misa_request(new_key())
    first = misa_adapter.issue(request=request)
    misa_control.post("config", {"duplicate_ref": "error"})
    assert misa_adapter.issue(request=request) == first
    assert len(misa_sandbox.invoices) == 1


def test_concurrent_issue_in_one_series(
    misa_config, misa_request, misa_control, misa_sandbox
) -> None:
    misa_control.post("config", {"publish_delay": 0.8})
    config = replace(misa_config, timeout=(2.0, 10.0))
    adapters = [MisaAdapter(config) for _ in range(2)]
    for adapter in adapters:
        adapter.check_credentials()
    outcomes: list[object] = [None, None]
    requests_ = [misa_request(new_key()) for _ in range(2)]
    started = threading.Barrier(2)

    def run(index: int) -> None:
        started.wait()
        try:
            outcomes[index] = adapters[index].issue(request=requests_[index]).number
        except TransientError as error:
            outcomes[index] = error.code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == ["00000001", "InvoiceNumberNotContinuous"]
    loser = outcomes.index("InvoiceNumberNotContinuous")
    assert adapters[loser].issue(request=requests_[loser]).number == "00000002"
    assert misa_sandbox.counters == {misa_sandbox.templates[0].symbol: 2}
