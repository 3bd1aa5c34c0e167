"""Giao Hàng Nhanh (GHN) API v2 adapter (/work/shared/api/carriers_einvoice.md section A).

Every call is a POST with a JSON body and the `Token` header; shop calls (fee, create, update,
switch-status) also send `ShopId` (the return call `shop_id` too: one doc page names it so).
An answer is a success only when the HTTP status is 200 AND the body's `code` is 200; numbers
may come as strings. GHN signs no callback: the secret travels in the callback URL's query
(`?token=`). The pure protocol parts live in ghn_protocol.py.

Choices where the doc is uncertain or contradicts itself (A.6, A.7, G.2):
- the fee call sends the COD twice: `cod_value` (the fee page's name, documented max
  5,000,000: the amount is capped there, so a COD up to create's 50,000,000 still gets a
  quote) and `cod_amount` (integrators' name, the full amount);
- the create names its sender (`from_ward_name`, `from_district_name`, `from_province_name`,
  the only sender place fields A.7 documents) and sends the ids as well (harmless to a server
  that ignores them); without names GHN picks up at the ShopId's registered address;
- names and addresses are cut to A.7's 1024 characters, content to 2000, note to 5000;
- every id, size and amount goes as a JSON integer and ward codes as strings (A.3's
  "Syntax error" is a typed decoder refusing anything else).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import requests

from common.external import ExternalError, PayloadError, PermanentError, TransientError
from common.http import client

from . import ghn_protocol as proto
from .base import (
    AddressError,
    CarrierAdapter,
    CarrierConfig,
    CarrierEvent,
    CarrierPlace,
    CreatedParcel,
    Endpoint,
    LabelDocument,
    ParcelInfo,
    ParcelRequest,
    ParcelState,
    Quote,
    ServiceOption,
    SwitchResult,
    Tracking,
)

API_SUFFIX = "/shiip/public-api"
FEE_COD_MAX = 5_000_000  # A.6: the fee page's cod_value maximum (create allows 50,000,000)
PRINT_PAGES = {"a5": "printA5", "80x80": "print80x80", "52x70": "print52x70"}
FEE_PARTS = (
    "service_fee",
    "insurance_fee",
    "pick_station_fee",
    "coupon_value",
    "r2s_fee",
    "return_again",
    "document_return",
    "double_check",
    "cod_fee",
    "pick_remote_areas_fee",
    "deliver_remote_areas_fee",
    "cod_failed_fee",
)


class GhnAdapter(CarrierAdapter):
    carrier: ClassVar[str] = "ghn"
    STATUS_MAP: ClassVar[Mapping[str, ParcelState]] = proto.STATUS_MAP
    label_batch: ClassVar[int] = 100  # GHN documents no limit; one print token per 100

    def __init__(self, config: CarrierConfig) -> None:
        super().__init__(config)
        self.http = client(timeout=config.timeout)
        self.base_url = config.base_url.rstrip("/")

    # -- transport --------------------------------------------------------------------------
    def call(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        shop: bool = False,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        """One API call; the envelope's `data` on success, else the mapped error."""
        headers = {"Content-Type": "application/json", "Token": self.config.token}
        if shop:
            headers["ShopId"] = str(self.config.shop_id)
            if path == "/v2/switch-status/return":
                headers["shop_id"] = str(self.config.shop_id)
        url = self.base_url + path + (f"?{urlencode(query)}" if query else "")
        data = json.dumps(body or {}, ensure_ascii=False).encode()
        return self._data(self._send("POST", url, data=data, headers=headers))

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One HTTP exchange; a network failure or timeout is transient."""
        self.calls += 1
        try:
            return self.http.request(method, url, **kwargs)
        except requests.Timeout:
            where = urlsplit(url).path
            raise TransientError("timeout", f"GHN did not answer {where} in time") from None
        except requests.TooManyRedirects as error:  # common.http follows none: any 3xx
            if error.response is None:
                raise PermanentError("redirect", "GHN answered with a redirect") from None
            return error.response
        except (requests.RequestException, OSError) as error:
            raise TransientError("network", type(error).__name__) from None

    @staticmethod
    def _data(answer: requests.Response) -> Any:
        try:
            envelope = answer.json()
        except ValueError:
            envelope = None
        if 300 <= answer.status_code < 400:  # never followed: a wrong base URL, most likely
            where = answer.headers.get("Location", "")
            raise PermanentError(f"http_{answer.status_code}", f"GHN redirected to {where}")
        if not isinstance(envelope, dict):
            if answer.status_code >= 400:
                raise proto.error_for(answer.status_code, {})
            raise TransientError(f"http_{answer.status_code}", "the answer is not a JSON object")
        code = envelope.get("code")
        if answer.status_code != 200 or str(code).strip() != "200":
            raise proto.error_for(answer.status_code, envelope)
        return envelope.get("data")

    # -- the account ------------------------------------------------------------------------
    def authorize(self) -> str:
        """GHN tokens come from the merchant portal; a master-data call proves this one."""
        self.call("/master-data/province")
        return self.config.token

    # -- master data ------------------------------------------------------------------------
    def provinces(self) -> list[CarrierPlace]:
        rows = self._rows(self.call("/master-data/province"))
        return [
            CarrierPlace("province", str(r["ProvinceID"]), str(r.get("ProvinceName", "")), "", r)
            for r in rows
            if "ProvinceID" in r and proto.is_open(r)
        ]

    def districts(self, *, province_code: str) -> list[CarrierPlace]:
        body = {"province_id": proto.numeric_id(province_code, "province id")}
        rows = self._rows(self.call("/master-data/district", body))
        return [
            CarrierPlace(
                "district",
                str(r["DistrictID"]),
                str(r.get("DistrictName", "")),
                str(r.get("ProvinceID", province_code)),
                r,
            )
            for r in rows
            if "DistrictID" in r and proto.is_open(r)
        ]

    def wards(self, *, district_code: str) -> list[CarrierPlace]:
        body = {"district_id": proto.numeric_id(district_code, "district id")}
        # The doc shows district_id in the body and in the query: both are sent.
        rows = self._rows(self.call("/master-data/ward", body, query=body))
        return [
            CarrierPlace(
                "ward",
                str(r["WardCode"]),
                str(r.get("WardName", "")),
                str(r.get("DistrictID", district_code)),
                r,
            )
            for r in rows
            if "WardCode" in r and proto.is_open(r)
        ]

    @staticmethod
    def _rows(data: Any) -> list[dict[str, Any]]:
        if data is None:
            return []
        if not isinstance(data, list):
            raise PayloadError("bad_data", "master data is not a list", field="data")
        return [r for r in data if isinstance(r, dict)]

    # -- services and fees ------------------------------------------------------------------
    def services(self, *, request: ParcelRequest) -> list[ServiceOption]:
        body = {
            "shop_id": proto.numeric_id(self.config.shop_id, "ShopId"),
            "from_district": proto.district_id(request.sender, "sender"),
            "to_district": proto.district_id(request.receiver),
        }
        try:
            rows = self._rows(self.call("/v2/shipping-order/available-services", body))
        except ExternalError as error:
            raise proto.create_error(error, request.reference) from None
        options, refused = [], []
        for row in rows:
            code = str(proto.to_int(row.get("service_id"), "service_id") or "")
            if not code:
                continue
            name = str(row.get("short_name") or "").strip()
            try:
                quote = self.quote(request=_with_service(request, code))
            except AddressError:
                raise
            except PermanentError as error:  # this service refuses this parcel (too heavy...)
                refused.append(error)
                continue
            options.append(
                ServiceOption(
                    code=code,
                    name=name,
                    level=proto.service_level(row.get("service_type_id"), name),
                    fee=quote.total,
                    expected_delivery=quote.expected_delivery,
                    raw=row,
                )
            )
        if refused and not options:
            raise refused[0]
        return options

    def quote(self, *, request: ParcelRequest) -> Quote:
        try:
            data = self.call("/v2/shipping-order/fee", self._fee_body(request), shop=True)
        except ExternalError as error:
            raise proto.create_error(error, request.reference) from None
        if not isinstance(data, dict):
            raise PayloadError("bad_data", "the fee answer is not an object", field="data")
        total = proto.to_decimal(data.get("total"), "total")
        if total is None:
            raise PayloadError("missing_field", "the fee answer has no total", field="total")
        parts = {
            name: value
            for name in FEE_PARTS
            if (value := proto.to_decimal(data.get(name), name)) is not None
        }
        return Quote(total, parts, self._leadtime(request), data)

    def _leadtime(self, request: ParcelRequest) -> Any:
        fee_body = self._fee_body(request)
        keys = ("from_district_id", "from_ward_code", "to_district_id", "to_ward_code")
        body = {**{k: fee_body[k] for k in keys}, "service_id": fee_body["service_id"]}
        try:
            data = self.call("/v2/shipping-order/leadtime", body, shop=True)
            if not isinstance(data, dict):
                return None
            order = data.get("leadtime_order")
            if isinstance(order, dict) and order.get("to_estimate_date"):
                return proto.to_datetime(order["to_estimate_date"], "to_estimate_date")
            return proto.to_datetime(data.get("leadtime"), "leadtime")
        except (PermanentError, PayloadError):
            return None  # a quote without a date is still a quote

    def _fee_body(self, request: ParcelRequest) -> dict[str, Any]:
        cod = int(request.cod_amount)
        return {
            "service_id": proto.service_id(request.service_code),
            "from_district_id": proto.district_id(request.sender, "sender"),
            "from_ward_code": proto.ward_code(request.sender, "sender"),
            "to_district_id": proto.district_id(request.receiver),
            "to_ward_code": proto.ward_code(request.receiver),
            "weight": request.weight_g,
            "length": request.length_cm,
            "width": request.width_cm,
            "height": request.height_cm,
            "insurance_value": int(request.insurance_value),
            "cod_value": min(cod, FEE_COD_MAX),  # the fee page's name and maximum
            "cod_amount": cod,  # the name integrators send (create's field, max 50,000,000)
            "coupon": None,
            "items": self._items(request),
        }

    @staticmethod
    def _items(request: ParcelRequest) -> list[dict[str, Any]]:
        """The goods. A heavy service (type 5) charges on the items' weights times their
        quantities (A.5), so the items add up to the parcel's (weighed) weight: each unit's
        own weight, or an equal share where it has none, scaled to the parcel."""
        units = sum(max(1, i.quantity) for i in request.items) or 1
        share = Decimal(request.weight_g) / units
        raw = [Decimal(i.weight_g) or share for i in request.items]
        total = sum(w * max(1, i.quantity) for w, i in zip(raw, request.items, strict=True))
        scale = Decimal(request.weight_g) / total if total else Decimal(1)
        weights = [max(1, int(w * scale)) for w in raw]
        return [
            {
                "name": item.name,
                "code": item.code,
                "quantity": item.quantity,
                "price": int(item.price),
                "weight": weight,
                "length": request.length_cm,
                "width": request.width_cm,
                "height": request.height_cm,
            }
            for item, weight in zip(request.items, weights, strict=True)
        ]

    # -- parcels ----------------------------------------------------------------------------
    def create(self, *, request: ParcelRequest) -> CreatedParcel:
        body = {
            **proto.receiver_fields(request.receiver),
            **proto.sender_fields(request.sender),
            "client_order_code": request.reference,
            "weight": request.weight_g,
            "length": request.length_cm,
            "width": request.width_cm,
            "height": request.height_cm,
            "service_id": proto.service_id(request.service_code),
            "payment_type_id": proto.PAYMENT_TYPE[request.payer],
            "required_note": proto.REQUIRED_NOTE[request.viewing],
            "cod_amount": int(request.cod_amount),
            "insurance_value": int(request.insurance_value),
            "content": request.content[:2000],
            "note": request.note[:5000],
            "items": self._items(request),
        }
        try:
            data = self.call("/v2/shipping-order/create", body, shop=True)
        except ExternalError as error:
            raise proto.create_error(error, request.reference) from None
        if not isinstance(data, dict) or not data.get("order_code"):
            raise PayloadError("missing_field", "the answer has no order_code", field="order_code")
        fee = proto.to_decimal(data.get("total_fee"), "total_fee")
        return CreatedParcel(
            tracking_number=str(data["order_code"]),
            fee=fee if fee is not None else Decimal(0),
            sort_code=str(data.get("sort_code") or ""),
            expected_delivery=proto.to_datetime(
                data.get("expected_delivery_time"), "expected_delivery_time"
            ),
            raw=data,
        )

    def find(self, *, reference: str) -> ParcelInfo | None:
        body = {"client_order_code": reference}
        try:
            data = self.call("/v2/shipping-order/detail-by-client-code", body)
        except PermanentError as error:
            if proto.is_not_found(error):
                return None
            raise
        rows = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        return proto.parcel_info(rows[0]) if rows else None

    def parcel(self, *, tracking_number: str) -> ParcelInfo:
        return proto.parcel_info(self._detail(tracking_number), tracking_number)

    def track(self, *, tracking_number: str) -> Tracking:
        """The detail's status with its `log[]` history ({status, updated_date}, [UNV]) or,
        without one, its `updated_date`; a status with no readable time is not an event."""
        data = self._detail(tracking_number)
        info = proto.parcel_info(data, tracking_number)
        return Tracking(info, proto.detail_events(data, info))

    def _detail(self, tracking_number: str) -> dict[str, Any]:
        try:
            data = self.call("/v2/shipping-order/detail", {"order_code": tracking_number})
        except PermanentError as error:
            if proto.is_not_found(error):
                raise PermanentError("not_found", error.message) from None
            raise
        if isinstance(data, list):
            data = data[0] if data else None
        if not isinstance(data, dict):
            raise PermanentError("not_found", f"GHN has no parcel {tracking_number}")
        return data

    def _switch(self, path: str, tracking_numbers: Sequence[str]) -> list[SwitchResult]:
        data = self.call(path, {"order_codes": list(tracking_numbers)}, shop=True)
        answered = {
            str(row.get("order_code")): row for row in self._rows(data) if row.get("order_code")
        }
        results = []
        for code in tracking_numbers:
            row = answered.get(code)
            if row is None:
                results.append(SwitchResult(code, False, "GHN did not answer for this parcel"))
            else:
                ok = proto.to_bool(row.get("result"))
                results.append(SwitchResult(code, ok, str(row.get("message") or "")))
        return results

    def cancel(self, *, tracking_numbers: Sequence[str]) -> list[SwitchResult]:
        return self._switch("/v2/switch-status/cancel", tracking_numbers)

    def redeliver(self, *, tracking_numbers: Sequence[str]) -> list[SwitchResult]:
        return self._switch("/v2/switch-status/storing", tracking_numbers)

    def return_to_sender(self, *, tracking_numbers: Sequence[str]) -> list[SwitchResult]:
        return self._switch("/v2/switch-status/return", tracking_numbers)

    def change_address(
        self, *, tracking_number: str, receiver: Endpoint, address_text: str
    ) -> SwitchResult:
        """Delivery again (A.11, only while waiting_to_return), then the receiver updated: GHN
        updates a parcel in storage, not one waiting for the shop's decision."""
        (result,) = self.redeliver(tracking_numbers=[tracking_number])
        if result.ok:
            self.update(tracking_number=tracking_number, changes={"receiver": receiver})
        return result

    def update(self, *, tracking_number: str, changes: Mapping[str, Any]) -> None:
        body: dict[str, Any] = {"order_code": tracking_number}
        for name, value in changes.items():
            body.update(proto.change_fields(name, value))
        try:
            self.call("/v2/shipping-order/update", body, shop=True)
        except ExternalError as error:
            raise proto.create_error(error, tracking_number) from None

    def label(self, *, tracking_numbers: Sequence[str], paper: str = "a5") -> LabelDocument:
        page = PRINT_PAGES.get(paper.lower())
        if page is None:
            raise PermanentError("not_supported", f"GHN prints no {paper} label (A5, 80x80, 52x70)")
        data = self.call("/v2/a5/gen-token", {"order_codes": list(tracking_numbers)})
        token = data.get("token") if isinstance(data, dict) else None
        if not token:
            raise PayloadError("missing_field", "the answer has no print token", field="token")
        url = f"{self._print_base()}/{page}?{urlencode({'token': token})}"
        answer = self._send("GET", url)
        content_type = answer.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if answer.status_code != 200 or content_type == "application/json":
            self._data(answer)  # raises the mapped error
            raise PermanentError("print_failed", "GHN answered the print page with JSON")
        return LabelDocument(answer.content, content_type or "text/html", url)

    def _print_base(self) -> str:
        base = (self.config.print_base_url or "").rstrip("/")
        if not base:
            base = self.base_url.removesuffix(API_SUFFIX)
        return base if base.endswith("/a5/public-api") else base + "/a5/public-api"

    # -- webhooks ---------------------------------------------------------------------------
    @classmethod
    def verify_webhook(
        cls, *, secret: str, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]
    ) -> bool:
        if not secret:
            return False
        given = next((str(v) for k, v in query.items() if k.lower() == "token"), "")
        return bool(given) and hmac.compare_digest(given.encode(), secret.encode())

    @classmethod
    def parse_webhook(cls, body: bytes) -> list[CarrierEvent]:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise PayloadError("bad_json", "the callback is not JSON", field="body") from None
        rows = data if isinstance(data, list) else [data]
        if not rows or not all(isinstance(r, dict) for r in rows):
            raise PayloadError("bad_json", "the callback is not a JSON object", field="body")
        return [proto.callback_event(r) for r in rows]


def _with_service(request: ParcelRequest, code: str) -> ParcelRequest:
    from dataclasses import replace

    return replace(request, service_code=code)
