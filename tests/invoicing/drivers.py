"""Both sandboxes behind one small interface for the app-level tests (issue 14's second part):
what each provider received and holds, read over HTTP (MISA's control API) or from the
S-Invoice sandbox object."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from invoicing.models import EInvoice, Provider, ProviderAccount

D = Decimal
__all__ = ["Providers", "provider"]


class Providers:
    def __init__(self, request: Any, name: str) -> None:
        self.name = name
        if name == "sinvoice":
            self.sandbox = request.getfixturevalue("sinvoice_sandbox")
            self.account: ProviderAccount = request.getfixturevalue("sinvoice_account")
        else:
            self.sandbox = request.getfixturevalue("misa_sandbox")
            self.control = request.getfixturevalue("misa_control")
            self.account = request.getfixturevalue("misa_account")

    def set_rule(self, **fields: Any) -> None:
        ProviderAccount.objects.filter(pk=self.account.pk).update(**fields)
        self.account.refresh_from_db()

    def count(self) -> int:
        if self.name == "sinvoice":
            return int(self.sandbox.invoice_count())
        return len(self.control.get("state")["invoices"])

    def received(self) -> list[Any]:
        """The invoice bodies received, in order."""
        if self.name == "sinvoice":
            return list(self.sandbox.payloads())
        return [item["Payload"] for item in self.control.get("state")["invoices"]]

    def sent_total(self) -> Decimal:
        last = self.received()[-1]
        if self.name == "sinvoice":
            return D(str(last["summarizeInfo"]["totalAmountWithTax"]))
        return D(str(last["TotalAmountOC"]))

    def rates_sent(self) -> list[Any]:
        """The VAT codes of the last invoice's lines as the provider received them."""
        last = self.received()[-1]
        if self.name == "sinvoice":
            return [item.get("taxPercentage") for item in last["itemInfo"]]
        return [line["VATRateName"] for line in last["OriginalInvoiceDetail"]]

    def cancelled(self, invoice: EInvoice) -> bool:
        if self.name == "sinvoice":
            held = self.sandbox.by_number(self.account.seller_tax_code, invoice.number)
            return bool(held is not None and held.state == "cancelled")
        items = self.control.get("state")["invoices"]
        mine = [i for i in items if i["TransactionID"] == invoice.lookup_code]
        return bool(mine) and int(mine[0]["EInvoiceStatus"]) == 2

    def refuse_cancel(self) -> None:
        if self.name == "sinvoice":
            self.sandbox.configure(allow_cancel=False)
        else:
            self.control.post(
                "fault",
                {
                    "kind": "validation",
                    "path": "cancel",
                    "code": "CancelNotAllowed",
                    "message": "Không được hủy hóa đơn",
                },
            )

    def emails(self) -> list[dict[str, Any]]:
        return list(self.control.get("state")["emails"]) if self.name == "misa" else []


@pytest.fixture(params=[Provider.SINVOICE.value, Provider.MISA.value])
def provider(request: Any) -> Providers:
    return Providers(request, request.param)
