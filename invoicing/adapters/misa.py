"""MISA meInvoice adapter, v3 "itg" family (carriers_einvoice.md section D.1-D.3, D.5).

Sign-in `POST {base}/auth/token` {appid, taxcode, username, password} -> the token in `Data`;
then every call sends `Authorization: Bearer`, `CompanyTaxCode` and JSON. Answers are the
two-layer envelope {Success, ErrorCode, Errors, Data: "<JSON string>"}: a call succeeds only when
Success is true, the outer ErrorCode is empty and every element of Data has an empty ErrorCode.
With `config.with_tax_authority_code` the routes marked [/code] in D.3 get the /code prefix.
D.3 lets GetCompanyInfo.IsInvoiceWithCode decide, but names no path for that call: the account's
series decides instead (C = with the tax authority's code, K = without; E.3), which is the same
fact as the series was registered.

Family: only v3 "itg" (D.1-D.3) is spoken. Base URL: a bare host (https://api.meinvoice.vn,
https://testapi.meinvoice.vn) gets /api/v3; the "integration" family's https://<host>/api/
integration (D.4, same hosts and the same appid/taxcode/username/password sign-in body) is read
as that host's v3 base, since that family's calls (SignType, InvoiceData, publishInvoiceResult)
are not implemented (G.5 leaves open which one a contract uses; v3 is MISA's current document).

Errors: a timeout, a network failure, an HTTP 5xx or a body that is not JSON -> TransientError,
and InvoiceNumberNotContinuous (concurrent numbering in a series) too; TokenExpiredCode,
InvalidTokenCode, UnAuthorize or an HTTP 401 -> AuthError after one fresh sign-in and one
retry; any other ErrorCode, outer or of the element asked for -> PermanentError keeping the
provider's code and its words (Errors / ErrorData).

Choices on the doc's [UNV] points (also listed in the sandbox):
- issuing is `publishhsm` (MISA signs with its HSM; we have no signing key). D.3 gives no body
  for it (only createinvoice's "array of OriginalInvoiceData"); MISA's page and every public
  client send an array of {RefID, OriginalInvoiceData: {...}}. Each element we send is that
  wrapper with the same fields also flat beside it, so a server reading either shape finds
  the invoice. A RefID MISA already holds (same key) is answered with that invoice, or with a
  "Duplicate..."/"InvoiceDuplicated" ErrorCode (or a Data text), after which find() gives it;
- find by key: `POST /invoicepublished/invoice-status/refid` with a JSON array of RefIDs, as
  D.3 writes it; when that finds nothing for a coded account, the same under /code (MISA's own
  page and the public clients have it there for coded invoices);
- InvSeries is the full symbol (template digit + series, "1C25TAA") with the year digits of
  InvDate (E.3; the account's "C25TAA" is sent as "1C26TAA" in 2026); OrgInvSeries the
  original's bare series "C25TAA" as issued, beside OrgInvTemplateNo "1";
- a decrease adjustment sends negative amounts and unit prices (positive quantities); an
  information adjustment sends the lines as given (zero amounts);
- the buyer's agreement and the reason go into InvoiceNote (and CancelReason on cancel): D.5
  names no field for them;
- preview: `invoicelinkview?type=1` with one OriginalInvoiceData (the object, as the
  integration family's unpublishview takes it); Data is a link, fetched for the PDF;
- download: Data items {TransactionID, Data: base64}; an item without Data is "not ready yet"
  (None) unless its ErrorCode says the invoice does not exist; an XML inside a zip is unpacked;
- e-mail: `POST /itg/emails` {SendEmailDatas: [{TransactionID, ReceiverName, ReceiverEmail}],
  IsInvoiceCode, IsInvoiceCalculatingMachine: false};
- cancel: RefDate is the invoice's own date (as RefID is the invoice's own id), yyyy-MM-dd
  (D.3 does not say; one public client sends the day of the cancel, which equals it only on
  the day of issue; the invoice's date is what any "not before the invoice" check accepts);
- only VND invoices are sent (ExchangeRate 1, OC = VND): a request in another currency is
  refused before any call (PermanentError "currency_without_rate"), as it carries no rate;
- InvNo is kept as MISA writes it; IssuedInvoice.status is "PublishStatus=.. EInvoiceStatus=..
  SendTaxStatus=.." (the fields MISA returns), the raw item stays in `raw`;
- OptionUserDefined declares the decimal places actually sent (a VAT-exclusive unit price
  carries up to 4, a weighed quantity 3), never fewer than the currency's;
- a token lives as long as the adapter instance (D.1: 15 days at MISA, unverified, so no
  lifetime is assumed); an expired one is renewed by signing in again (the refresh route is
  not used);
- `status(invoice=...)` (not in the interface) asks by TransactionID (MISA's lookup code);
- a sales invoice (template 2, InvSeries "2C26TBB", InvoiceName "Hóa đơn bán hàng"): D.5 and
  E.6 do not say what its lines' VATRateName is (E.6 only names "KHAC:AB.CD%" for direct-method
  percentages, a rate we neither know nor may print as VAT). We send the conservative choice:
  every line "KCT" with VATAmount 0 (the documented name of "no tax", S-Invoice's -2 for the
  same invoice, which any server checking the documented names accepts), TaxRateInfo with its
  one element per distinct rate (D.5): "KCT", the total, VAT 0; TotalVATAmount 0,
  TotalAmountWithoutVAT = TotalAmount, IsTaxReduction43 false. A sales request that carries VAT
  is refused before any call (PermanentError "vat_on_sales_invoice").
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import requests

from common.http import client
from invoicing.adapters import misa_protocol as proto
from invoicing.adapters.base import (
    AuthError,
    InvoiceFile,
    InvoiceKind,
    InvoiceRequest,
    IssuedInvoice,
    PermanentError,
    ProviderAdapter,
    ProviderConfig,
    TemplateInfo,
    TransientError,
)

PROD_BASE = "https://api.meinvoice.vn/api/v3"
TEST_BASE = "https://testapi.meinvoice.vn/api/v3"
V3_PATH = "/api/v3"
INTEGRATION_PATH = "/api/integration"
HTTP_ERRORS = (requests.RequestException, OSError)
FILE_TYPES = {"pdf": ("PDF", "application/pdf"), "xml": ("XML", "application/xml")}


def v3_base(base_url: str) -> str:
    """The v3 base: a bare host gets /api/v3; the "integration" family's /api/integration (on
    the same hosts, D.1) is read as the v3 base of that host; any other path is kept."""
    base = base_url.strip().rstrip("/")
    parts = urlsplit(base)
    path = parts.path.strip("/").lower()
    if not path or path == INTEGRATION_PATH.strip("/"):
        return f"{parts.scheme}://{parts.netloc}{V3_PATH}"
    return base


class MisaAdapter(ProviderAdapter):
    provider: ClassVar[str] = "misa"

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self.http = client(timeout=config.timeout)
        self.base_url = v3_base(config.base_url)
        self.token = ""

    # -- transport ----------------------------------------------------------------------------
    def _path(self, path: str, *, coded: bool = False) -> str:
        prefix = proto.CODE_PREFIX if coded and self.config.with_tax_authority_code else ""
        return f"{self.base_url}{prefix}{path}"

    def _send(self, method: str, url: str, body: Any, *, auth: bool = True) -> requests.Response:
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
            headers["CompanyTaxCode"] = self.config.seller_tax_code
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = proto.dumps(body).encode()
        self.calls += 1
        try:
            answer = self.http.request(method, url, data=data, headers=headers)
        except requests.Timeout as error:
            raise TransientError("timeout", type(error).__name__) from None
        except HTTP_ERRORS as error:
            raise TransientError("network", type(error).__name__) from None
        if answer.status_code >= 500:
            raise TransientError(f"http_{answer.status_code}", answer.text[:300] or answer.reason)
        return answer

    @staticmethod
    def _document(answer: requests.Response) -> Mapping[str, Any]:
        try:
            document = answer.json()
        except ValueError:
            document = None
        if not isinstance(document, Mapping):
            if answer.status_code in {401, 403}:
                raise AuthError(f"http_{answer.status_code}", answer.text[:300])
            if answer.status_code >= 400:
                raise PermanentError(f"http_{answer.status_code}", answer.text[:300])
            raise TransientError("not_json", answer.text[:300])
        return document

    @staticmethod
    def _raise(code: str, message: str, *, status: int = 200) -> None:
        lowered = code.lower()
        if lowered in proto.TOKEN_CODES or status == 401:
            raise AuthError(code or f"http_{status}", message)
        if lowered in proto.RETRY_CODES:
            raise TransientError(code, message)
        raise PermanentError(code or f"http_{status}", message)

    def _checked(self, answer: requests.Response) -> Any:
        """The decoded Data of a successful envelope; the error family otherwise."""
        document = self._document(answer)
        code = proto.error_code(proto.ci(document, "ErrorCode"))
        success = proto.truthy(proto.ci(document, "Success", default=not code))
        if not success or code or answer.status_code >= 400:
            self._raise(code or "error", proto.messages(document), status=answer.status_code)
        return proto.inner(proto.ci(document, "Data"))

    def sign_in(self) -> str:
        body = {
            "appid": self.config.app_id,
            "taxcode": self.config.seller_tax_code,
            "username": self.config.username,
            "password": self.config.password,
        }
        answer = self._send("POST", f"{self.base_url}{proto.AUTH_TOKEN}", body, auth=False)
        document = self._document(answer)
        code = proto.error_code(proto.ci(document, "ErrorCode"))
        data = proto.inner(proto.ci(document, "Data"))
        if isinstance(data, Mapping):
            data = proto.ci(data, "token", "access_token", "AccessToken")
        success = proto.truthy(proto.ci(document, "Success", default=bool(data)))
        if not success or code or not proto.text(data) or answer.status_code >= 400:
            raise AuthError(code or "sign_in_refused", proto.messages(document))
        self.token = proto.text(data)
        return self.token

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        coded: bool = False,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """One API call with the token; signs in when there is none, and once more when MISA
        says the token has expired."""
        url = self._path(path, coded=coded) + (f"?{urlencode(params)}" if params else "")
        fresh = not self.token
        if fresh:
            self.sign_in()
        try:
            return self._checked(self._send(method, url, body))
        except AuthError:
            if fresh:
                raise
        self.sign_in()
        return self._checked(self._send(method, url, body))

    # -- the interface ------------------------------------------------------------------------
    def check_credentials(self) -> None:
        self.sign_in()

    def templates(self) -> list[TemplateInfo]:
        year = str(self.config.clock().astimezone(proto.ICT).year)
        data = self.call("GET", proto.TEMPLATES, params={"invyear": year})
        return [proto.template_info(item) for item in proto.items(data)]

    def preview(self, *, request: InvoiceRequest) -> bytes:
        self._check_sendable(request)
        body = proto.invoice_data(request, today=self.config.clock())
        data = self.call("POST", proto.PREVIEW, body, params={"type": "1"})
        link = proto.text(
            proto.ci(data, "Url", "Link", "Data") if isinstance(data, Mapping) else data
        )
        if link.startswith(("http://", "https://")):
            return self._fetch_pdf(link)
        content = self._decode(link)
        if content is None or not content.startswith(b"%PDF"):
            raise PermanentError("preview_unreadable", link[:200])
        return content

    def _fetch_pdf(self, link: str) -> bytes:
        same_host = urlsplit(link).netloc == urlsplit(self.base_url).netloc
        headers = {"Authorization": f"Bearer {self.token}"} if same_host else {}
        self.calls += 1
        try:
            answer = self.http.get(link, headers=headers)
        except requests.Timeout as error:
            raise TransientError("timeout", type(error).__name__) from None
        except HTTP_ERRORS as error:
            raise TransientError("network", type(error).__name__) from None
        if answer.status_code >= 500:
            raise TransientError(f"http_{answer.status_code}", answer.reason or "")
        if answer.status_code >= 400 or not answer.content.startswith(b"%PDF"):
            raise PermanentError(f"http_{answer.status_code}", answer.text[:200])
        return answer.content

    @staticmethod
    def _check_sendable(request: InvoiceRequest) -> None:
        """D.5 asks the VND value of every amount beside the original currency's (OC) and the
        ExchangeRate between them; a request carries no rate, so only VND is sent. A sales
        invoice carries no VAT (E.2): one that does is refused before any call."""
        if request.kind is InvoiceKind.SALES and (
            request.total_vat or any(line.vat_amount for line in request.lines)
        ):
            raise PermanentError(
                "vat_on_sales_invoice", "Hóa đơn bán hàng (mẫu số 2) không có thuế GTGT"
            )
        if request.currency.upper() != "VND":
            raise PermanentError(
                "currency_without_rate",
                f"Hóa đơn bằng {request.currency} cần tỷ giá quy đổi sang VND (ExchangeRate); "
                "chỉ lập được hóa đơn bằng VND",
            )

    def issue(self, *, request: InvoiceRequest) -> IssuedInvoice:
        self._check_sendable(request)
        body = [proto.publish_item(proto.invoice_data(request, today=self.config.clock()))]
        try:
            data = self.call("POST", proto.PUBLISH_HSM, body, coded=True)
        except PermanentError as error:
            return self._already_issued(request, error)
        results = proto.items(data)
        mine = [r for r in results if proto.text(proto.ci(r, "RefID")) == request.key] or results
        if not mine:
            found = self.find(key=request.key)
            if found is None:
                raise TransientError("no_result", "publishhsm answered no invoice")
            return found
        item = mine[0]
        code = proto.error_code(proto.ci(item, "ErrorCode"))
        if code:
            try:
                self._raise(code, proto.messages(item))
            except PermanentError as error:
                return self._already_issued(request, error)
        issued = proto.issued({**item, "RefID": request.key}, template=request.template)
        return replace(
            issued,
            series=issued.series or proto.split_series(request.series)[1],
            issued_at=issued.issued_at or request.issued_at,
        )

    def _already_issued(self, request: InvoiceRequest, error: PermanentError) -> IssuedInvoice:
        """A RefID MISA already holds ("Duplicate..."): that invoice; otherwise `error`."""
        if "duplicate" in error.code.lower():
            found = self.find(key=request.key)
            if found is not None:
                return found
        raise error

    def find(self, *, key: str) -> IssuedInvoice | None:
        found = self._find(key, coded=False)
        if found is None and self.config.with_tax_authority_code:
            try:  # MISA's own page has the refid lookup under /code too, for coded invoices
                found = self._find(key, coded=True)
            except PermanentError:  # a server without that route
                return None
        return found

    def _find(self, key: str, *, coded: bool) -> IssuedInvoice | None:
        try:
            data = self.call("POST", proto.STATUS_BY_REFID, [key], coded=coded)
        except PermanentError as error:
            if coded or not error.code.lower().endswith(("notfound", "404")):
                raise
            return None  # no such route without /code
        for item in proto.items(data):
            if proto.text(proto.ci(item, "RefID")) not in {"", key}:
                continue
            code = proto.error_code(proto.ci(item, "ErrorCode"))
            if code or not proto.text(proto.ci(item, "TransactionID")):
                continue  # MISA holds no invoice under this key
            return proto.issued({**item, "RefID": key})
        return None

    def status(self, *, invoice: IssuedInvoice) -> IssuedInvoice:
        """The invoice as MISA has it now, by its TransactionID (the tax-authority code)."""
        data = self.call("POST", proto.STATUS, [invoice.lookup_code], coded=True)
        for item in proto.items(data):
            if proto.text(proto.ci(item, "TransactionID")) in {"", invoice.lookup_code}:
                code = proto.error_code(proto.ci(item, "ErrorCode"))
                if code:  # this element failed although the envelope succeeded (D.2)
                    self._raise(code, proto.messages(item))
                fresh = proto.issued({"RefID": invoice.key, **item}, template=invoice.template)
                return IssuedInvoice(
                    key=invoice.key or fresh.key,
                    number=fresh.number or invoice.number,
                    series=fresh.series or invoice.series,
                    template=fresh.template,
                    issued_at=fresh.issued_at or invoice.issued_at,
                    lookup_code=invoice.lookup_code,
                    tax_authority_code=fresh.tax_authority_code or invoice.tax_authority_code,
                    status=fresh.status,
                    raw=fresh.raw,
                )
        raise PermanentError("not_found", invoice.lookup_code)

    def file(self, *, invoice: IssuedInvoice, kind: str) -> InvoiceFile | None:
        data_type, content_type = FILE_TYPES[kind]
        data = self.call(
            "POST",
            proto.DOWNLOAD,
            [invoice.lookup_code],
            coded=True,
            params={"downloadDataType": data_type},
        )
        for item in proto.items(data):
            if proto.text(proto.ci(item, "TransactionID")) not in {"", invoice.lookup_code}:
                continue
            content = self._decode(proto.text(proto.ci(item, "Data")))
            code = proto.error_code(proto.ci(item, "ErrorCode"))
            if content is None:
                if any(word in code.lower() for word in proto.MISSING_CODES):
                    raise PermanentError(code, proto.messages(item))
                return None
            if kind == "xml":
                content = self._unpack_xml(content)
            name = f"{invoice.series or 'misa'}_{invoice.number or invoice.lookup_code}.{kind}"
            return InvoiceFile(content=content, file_name=name, content_type=content_type)
        return None

    @staticmethod
    def _decode(value: str) -> bytes | None:
        if not value:
            return None
        if value.lstrip().startswith("<"):
            return value.encode()
        try:
            return base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError):
            return None

    @staticmethod
    def _unpack_xml(content: bytes) -> bytes:
        if not content.startswith(b"PK"):
            return content
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".xml")]
            if not names:
                raise PermanentError("xml_missing", ", ".join(archive.namelist()))
            inner = archive.read(names[0])
        return MisaAdapter._unpack_xml(inner)

    def cancel(
        self, *, invoice: IssuedInvoice, reason: str, agreement_name: str, agreement_date: date
    ) -> None:
        issued_on = (
            invoice.issued_at.astimezone(proto.ICT).date()
            if invoice.issued_at
            else self.config.clock().astimezone(proto.ICT).date()
        )
        words = reason
        if agreement_name:
            words += f" (theo {agreement_name} ngày {agreement_date.strftime('%d/%m/%Y')})"
        body = proto.cancel_body(invoice=invoice, reason=words, issued_on=issued_on)
        data = self.call("POST", proto.CANCEL, body, coded=True)
        for item in proto.items(data):
            code = proto.error_code(proto.ci(item, "ErrorCode"))
            if code:
                self._raise(code, proto.messages(item))

    def send_email(self, *, invoice: IssuedInvoice, to: str, name: str) -> None:
        body = {
            "SendEmailDatas": [
                {"TransactionID": invoice.lookup_code, "ReceiverName": name, "ReceiverEmail": to}
            ],
            "IsInvoiceCode": self.config.with_tax_authority_code,
            "IsInvoiceCalculatingMachine": False,
        }
        data = self.call("POST", proto.EMAILS, body)
        for item in proto.items(data):
            code = proto.error_code(proto.ci(item, "ErrorCode"))
            if code:
                self._raise(code, proto.messages(item))
