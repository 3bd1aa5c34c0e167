"""Viettel S-Invoice adapter, the current "vinvoice" generation (carriers_einvoice.md section C).

Sign-in: `POST {auth_url}` JSON `{username, password}` -> `{access_token, expires_in}` (seconds,
a number or a string); `auth_url` defaults to `<origin of base_url>/auth/login` (another prefix
than the API). Every call then sends the token as the cookie `access_token` (Odoo's way) and as
`Authorization: Bearer` (integrators'); the token is kept until `expires_in` has passed on
`config.clock` (30 s early) and a refused one is renewed once. `SInvoiceBasicAdapter` is the
documented alternative: HTTP Basic with the account's username and password, no sign-in.

Calls live under `{base_url}/InvoiceAPI/`; createInvoice, createInvoiceDraftPreview,
getInvoiceRepresentationFile and getAllInvoiceTemplates are JSON, cancelTransactionInvoice and
searchInvoiceByTransactionUuid are `application/x-www-form-urlencoded` (fields in the body).

Errors: a network failure, a timeout or a 5xx is a TransientError; HTTP 401/403 or a refused
token an AuthError; `errorCode` (null, string or int), `{code, message, data}` or `{error}` a
PermanentError with the provider's text (C.13).

Choices on points the doc leaves open [UNV]:
- shipping and other fees are goods/service lines (selection 1, quantity x price): selection 4
  is "other fee" in one source and "promotion" in others;
- the original of an adjustment or replacement is given by `originalInvoiceId`,
  `originalTemplateCode` (the full "1/001", as Odoo sends it), `originalInvoiceIssueDate`
  (Odoo's set; `originalInvoiceType` is not sent, the original being in S-Invoice); the reason
  goes in `adjustedNote`; the agreement (or the notice to the buyer) and its date, which
  S-Invoice requires for both (C.10; "bắt buộc" in its DTO comments), are refused here when
  missing; `invoiceNote` carries the legal line "Điều chỉnh giảm cho hóa đơn mẫu số 1 ký hiệu
  C26TAA số 12 ngày 07/12/2026" (Decree 123 art. 19; S-Invoice writes it itself only on the web,
  an API caller passes it);
- buyerNotGetInvoice 0 (the buyer takes the invoice: name, address and tax code required, C.5)
  only when the buyer has a tax code, a person's 12-digit citizen ID serving as one (TT 86/2024,
  E.7); a person without either is sent as 1 with the name and address we have, which the
  invoice still shows;
- find(): `searchInvoiceByTransactionUuid` answering an empty `result`, or an error whose text
  says not found, means no invoice;
- file(): `fileToBytes` empty (or an error saying the file is being processed) means not ready;
  XML is asked as `fileType` "ZIP" and read from the zip inside the zip (or a single zip);
- templates: `getAllInvoiceTemplates` items read `templateCode` and `invoiceSeries` (also
  `invoiceSeri`, `invoiceSerial`);
- preview: the token first; refused after one renewal, one more try with HTTP Basic (one
  integrator reports the draft preview wants Basic);
- send_email: S-Invoice has no documented call: not_supported (the app e-mails the PDF);
- `issued_at` None: the invoice is dated with `config.clock` now, to the second, and that date
  is returned (Odoo's way): cancelTransactionInvoice's `strIssueDate` and a correction's
  `originalInvoiceIssueDate` then quote exactly the date S-Invoice holds. Omitting the field
  would let S-Invoice date it (its now, GMT+7) at a time we could only guess;
- a currency other than VND: refused (S-Invoice requires `exchangeRate` and we have none).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import requests

from common.http import client
from invoicing.adapters import sinvoice_payload as payload
from invoicing.adapters import sinvoice_protocol as proto
from invoicing.adapters.base import (
    AuthError,
    InvoiceFile,
    InvoiceKind,
    InvoiceRequest,
    IssuedInvoice,
    PayloadError,
    PermanentError,
    ProviderAdapter,
    ProviderConfig,
    TemplateInfo,
    TransientError,
)

API = "/InvoiceAPI"
EARLY = timedelta(seconds=30)
HTTP_ERRORS = (requests.RequestException, OSError)


class SInvoiceAdapter(ProviderAdapter):
    provider: ClassVar[str] = "sinvoice"

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self.http = client(timeout=config.timeout)
        self.base_url = config.base_url.rstrip("/")
        self.token = ""
        self.token_expires: datetime | None = None

    @property
    def auth_url(self) -> str:
        if self.config.auth_url:
            return self.config.auth_url
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}/auth/login"

    @property
    def tax_code(self) -> str:
        return self.config.seller_tax_code

    # -- transport ---------------------------------------------------------------------------
    def _post(self, url: str, *, data: bytes | dict[str, str], headers: dict[str, str]) -> Any:
        """One POST; the answer's JSON (or None) once HTTP and the envelope say success."""
        self.calls += 1
        try:
            headers = {"Accept": "application/json", **headers}
            answer = self.http.post(url, data=data, headers=headers)
        except requests.Timeout as error:
            raise TransientError("timeout", type(error).__name__) from None
        except HTTP_ERRORS as error:
            raise TransientError("network", type(error).__name__) from None
        try:
            document = answer.json()
        except ValueError:
            document = None
        refused = proto.failure(answer.status_code, document, reason=answer.reason or "")
        if refused is not None:
            raise refused
        return document

    def _auth_headers(self) -> dict[str, str]:
        token = self._token()
        return {"Cookie": f"access_token={token}", "Authorization": f"Bearer {token}"}

    def _token(self) -> str:
        expires = self.token_expires
        if self.token and (expires is None or self.config.clock() < expires):
            return self.token
        return self.sign_in()

    def sign_in(self) -> str:
        body = {"username": self.config.username, "password": self.config.password}
        try:
            document = self._post(
                self.auth_url,
                data=payload.dumps(body),
                headers={"Content-Type": "application/json"},
            )
        except PermanentError as error:
            raise AuthError(error.code, error.message) from None
        names = ("access_token", "accessToken", "token")
        if proto.pick(document, *names) is None:  # some gateways wrap the answer
            document = proto.pick(document, "data") or proto.pick(document, "result") or {}
        token = proto.text(proto.pick(document, *names))
        if not token:
            raise AuthError("no_token", "the sign-in answer has no access_token")
        seconds = proto.number(proto.pick(document, "expires_in", "expiresIn"))
        self.token = token
        self.token_expires = None
        if seconds and seconds > 0:  # renewed 30 s early (half the lifetime if that is short)
            lifetime = timedelta(seconds=int(seconds))
            self.token_expires = self.config.clock() + lifetime - min(EARLY, lifetime / 2)
        return token

    def _forget_token(self) -> None:
        self.token, self.token_expires = "", None

    def call(
        self,
        path: str,
        *,
        body: Any = None,
        form: dict[str, str] | None = None,
        basic_fallback: bool = False,
    ) -> Any:
        """A call under InvoiceAPI/ (JSON `body` or urlencoded `form`); a refused token is
        renewed once; with `basic_fallback` a token refused again is followed by one try with
        HTTP Basic (C.9: some accounts want Basic on the draft preview)."""
        url = f"{self.base_url}{API}/{path}"
        if form is not None:
            data: bytes | dict[str, str] = form
            content = {"Content-Type": "application/x-www-form-urlencoded"}
        else:
            data, content = payload.dumps(body), {"Content-Type": "application/json"}
        headers = {**self._auth_headers(), **content}
        try:
            return self._post(url, data=data, headers=headers)
        except AuthError:
            self._forget_token()
        try:
            return self._post(url, data=data, headers={**self._auth_headers(), **content})
        except AuthError:
            if not basic_fallback:
                raise
        return self._post(url, data=data, headers={**self._basic_headers(), **content})

    def _basic_headers(self) -> dict[str, str]:
        pair = f"{self.config.username}:{self.config.password}".encode()
        return {"Authorization": f"Basic {base64.b64encode(pair).decode()}"}

    # -- the account -------------------------------------------------------------------------
    def check_credentials(self) -> None:
        self._forget_token()
        self.sign_in()

    def templates(self) -> list[TemplateInfo]:
        body = {"taxCode": self.tax_code, "invoiceType": "all"}
        document = self.call("InvoiceUtilsWS/getAllInvoiceTemplates", body=body)
        rows = proto.pick(document, "template", "templates", "result") or []
        found = []
        for row in rows if isinstance(rows, list) else []:
            template = proto.text(proto.pick(row, "templateCode"))
            if not template:
                continue
            digit = template[:1]
            found.append(
                TemplateInfo(
                    template=template,
                    series=proto.text(
                        proto.pick(row, "invoiceSeries", "invoiceSeri", "invoiceSerial")
                    ),
                    kind=InvoiceKind(digit) if digit in ("1", "2") else None,
                    name=proto.text(proto.pick(row, "templateName", "name", "description")),
                    raw=row,
                )
            )
        return found

    # -- invoices ----------------------------------------------------------------------------
    def preview(self, *, request: InvoiceRequest) -> bytes:
        path = f"InvoiceUtilsWS/createInvoiceDraftPreview/{quote(self.tax_code)}"
        document = self.call(path, body=payload.invoice_body(request), basic_fallback=True)
        content = _file_bytes(document)
        if not content:
            raise PayloadError("missing_field", "the preview has no file", field="fileToBytes")
        return content

    def issue(self, *, request: InvoiceRequest) -> IssuedInvoice:
        if request.issued_at is None:  # dated here, so we know the date S-Invoice holds
            request = replace(request, issued_at=self.config.clock().replace(microsecond=0))
        path = f"InvoiceWS/createInvoice/{quote(self.tax_code)}"
        document = self.call(path, body=payload.invoice_body(request))
        result = proto.first_result(document) or {}
        number = proto.text(proto.pick(result, "invoiceNo"))
        return IssuedInvoice(
            key=request.key,
            number=number,
            series=proto.series_of(number) or request.series,
            template=request.template,
            issued_at=request.issued_at,
            lookup_code=proto.text(proto.pick(result, "reservationCode")),
            tax_authority_code=proto.text(proto.pick(result, "codeOfTax")),
            status="",
            raw=dict(result),
        )

    def find(self, *, key: str) -> IssuedInvoice | None:
        form = {"supplierTaxCode": self.tax_code, "transactionUuid": key}
        try:
            document = self.call("InvoiceWS/searchInvoiceByTransactionUuid", form=form)
        except PermanentError as error:
            if proto.is_not_found(error):
                return None
            raise
        row = proto.first_result(document)
        if row is None:
            return None
        number = proto.text(proto.pick(row, "invoiceNo"))
        return IssuedInvoice(
            key=key,
            number=number,
            series=proto.text(proto.pick(row, "invoiceSeries", "invoiceSeri"))
            or proto.series_of(number),
            template=proto.text(proto.pick(row, "templateCode")),
            issued_at=proto.parse_time(proto.pick(row, "issueDate", "invoiceIssuedDate")),
            lookup_code=proto.text(proto.pick(row, "reservationCode")),
            tax_authority_code=proto.text(proto.pick(row, "codeOfTax")),
            status=proto.text(proto.pick(row, "status")),
            raw=dict(row),
        )

    def file(self, *, invoice: IssuedInvoice, kind: str) -> InvoiceFile | None:
        if kind not in ("pdf", "xml"):
            raise PayloadError("bad_kind", f"no file kind {kind!r}", field="kind")
        if not invoice.number:
            return None  # not numbered yet: nothing to ask for
        body = {
            "supplierTaxCode": self.tax_code,
            "templateCode": invoice.template,
            "invoiceNo": invoice.number,
            "transactionUuid": invoice.key,
            "fileType": "PDF" if kind == "pdf" else "ZIP",
        }
        try:
            document = self.call("InvoiceUtilsWS/getInvoiceRepresentationFile", body=body)
        except PermanentError as error:
            if proto.is_not_ready(error):
                return None
            raise
        content = _file_bytes(document)
        if not content:
            return None
        name = proto.text(proto.pick(document, "fileName")) or invoice.number
        if kind == "pdf":
            return InvoiceFile(content, _named(name, ".pdf"), "application/pdf")
        found = proto.xml_from_zip(content)
        if found is None:
            if content.lstrip().startswith(b"<"):
                return InvoiceFile(content, _named(name, ".xml"), "application/xml")
            raise PayloadError("bad_file", "the ZIP holds no XML", field="fileToBytes")
        return InvoiceFile(found[1], found[0], "application/xml")

    def cancel(
        self, *, invoice: IssuedInvoice, reason: str, agreement_name: str, agreement_date: date
    ) -> None:
        issued_at = invoice.issued_at
        if issued_at is None:
            found = self.find(key=invoice.key)
            issued_at = found.issued_at if found else None
        if issued_at is None or not invoice.number:
            raise PermanentError("not_found", "the invoice has no number or issue date yet")
        form = {
            "supplierTaxCode": self.tax_code,
            "templateCode": invoice.template,
            "invoiceNo": invoice.number,
            "strIssueDate": str(proto.ms(issued_at)),
            "additionalReferenceDesc": agreement_name,
            "additionalReferenceDate": str(proto.day_ms(agreement_date)),
            "reasonDelete": reason[: payload.NOTE_MAX],
        }
        self.call("InvoiceWS/cancelTransactionInvoice", form=form)

    def send_email(self, *, invoice: IssuedInvoice, to: str, name: str) -> None:
        raise PermanentError("not_supported", "S-Invoice has no e-mail call; send the PDF")


class SInvoiceBasicAdapter(SInvoiceAdapter):
    """The documented alternative (C.1, C.2): HTTP Basic with the account's username and
    password on every call, no sign-in (legacy hosts, whose server IP Viettel registers)."""

    def _auth_headers(self) -> dict[str, str]:
        return self._basic_headers()

    def sign_in(self) -> str:
        return ""

    def check_credentials(self) -> None:
        self.templates()


def _file_bytes(document: Any) -> bytes:
    """`fileToBytes` of the answer (or of its `result`), decoded; b"" when empty."""
    value = proto.pick(document, "fileToBytes")
    if value is None:
        value = proto.pick(proto.first_result(document), "fileToBytes")
    return _decoded(value)


def _decoded(value: Any) -> bytes:
    if not isinstance(value, str) or not value.strip():
        return b""
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        raise PayloadError("bad_file", "fileToBytes is not base64", field="fileToBytes") from None


def _named(name: str, suffix: str) -> str:
    return name if name.lower().endswith(suffix) else f"{name}{suffix}"
