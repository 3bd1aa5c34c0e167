"""The manual order form (phone, Facebook, chat orders) and its lines.

The order fields are a Django form; the lines are parallel arrays posted by the rows of the
lines table (line_key, line_variant, line_id, line_qty, line_price, line_discount), read by
`parse_lines`, so rows can be added and removed in the browser without renumbering.
Amounts are read as staff type them (MoneyField semantics: "150.000" is 150 000 dong).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.forms import MoneyField, id_or_none
from common.money import ParseError, money_input, parse_money, parse_quantity
from inventory.models import Warehouse
from orders.models import AddressScheme, Channel, Order, OrderLine, PaymentMethod
from orders.services.customers import AddressInput
from orders.services.manual import ManualOrder, NewCustomer
from orders.services.orders.core import MAX_LINES, MAX_QUANTITY
from orders.services.orders.lines import LineInput
from orders.validators import shop_country

MANUAL_CHANNELS = (Channel.PHONE, Channel.FACEBOOK, Channel.CHAT, Channel.OTHER)
MANUAL_PAYMENTS = (
    PaymentMethod.COD,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.CASH,
    PaymentMethod.CARD,
)
MODE_EXISTING, MODE_NEW = "existing", "new"
ADDRESS_NEW, ADDRESS_KEEP = "new", "order"
_KEY = re.compile(r"[^A-Za-z0-9_-]")
LINE_FIELDS = ("line_key", "line_variant", "line_id", "line_qty", "line_price", "line_discount")


def _choices(values: tuple[Any, ...], *, keep: str = "") -> list[tuple[str, str]]:
    chosen = [(v.value, v.label) for v in values]
    if keep and keep not in {v.value for v in values}:
        for member in type(values[0]):
            if member.value == keep:
                chosen.append((member.value, member.label))
    return chosen


def default_scheme() -> str:
    return AddressScheme.TH if shop_country() == "TH" else AddressScheme.VN_2LEVEL


class NewCustomerPrefill(forms.Form):
    """`?new_name=&new_phone=&new_email=`: the order page opens on a new customer typed in
    already (a contact request turned into a sale); it is created only with the order."""

    new_name = forms.CharField(required=False, max_length=200)
    new_phone = forms.CharField(required=False, max_length=40)
    new_email = forms.CharField(required=False, max_length=254)


def edit_initial(order: Order) -> dict[str, Any]:
    """The form's fields as the order stands (edit page); its own address is kept."""
    return {
        "channel": order.channel,
        "payment_method": order.payment_method,
        "warehouse": order.warehouse_id,
        "customer": order.customer_id,
        "customer_mode": MODE_EXISTING,
        "address": ADDRESS_KEEP,
        "notes": order.notes,
        "discount_total": order.discount_total,
        "shipping_fee": order.shipping_fee,
        "save_address": True,
    }


class OrderForm(forms.Form):
    # Customer: found by phone (or name), or added inline and created with the order.
    phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=60)
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    customer_mode = forms.ChoiceField(
        choices=[(MODE_EXISTING, MODE_EXISTING), (MODE_NEW, MODE_NEW)],
        initial=MODE_EXISTING,
        widget=forms.HiddenInput,
    )
    new_name = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=200)
    new_phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=40)
    new_email = forms.CharField(label=gettext_lazy("E-mail"), required=False, max_length=254)
    # Delivery address: one of the customer's, the order's own (edit), or a new one.
    address = forms.CharField(required=False, max_length=20)
    ship_name = forms.CharField(label=gettext_lazy("Recipient"), required=False, max_length=200)
    ship_phone = forms.CharField(
        label=gettext_lazy("Recipient phone"), required=False, max_length=40
    )
    ship_scheme = forms.ChoiceField(
        label=gettext_lazy("Address form"), choices=AddressScheme.choices, required=False
    )
    ship_province = forms.CharField(label=gettext_lazy("Province"), required=False, max_length=100)
    ship_district = forms.CharField(label=gettext_lazy("District"), required=False, max_length=100)
    ship_ward = forms.CharField(label=gettext_lazy("Ward"), required=False, max_length=100)
    ship_postcode = forms.CharField(label=gettext_lazy("Postcode"), required=False, max_length=10)
    ship_street = forms.CharField(
        label=gettext_lazy("Street address"), required=False, max_length=255
    )
    save_address = forms.BooleanField(
        label=gettext_lazy("Save to the customer"), required=False, initial=True
    )
    # The order.
    channel = forms.ChoiceField(label=gettext_lazy("Channel"))
    payment_method = forms.ChoiceField(label=gettext_lazy("Payment"))
    warehouse = forms.ModelChoiceField(
        Warehouse.objects.none(),
        label=gettext_lazy("Warehouse"),
        empty_label=None,
        error_messages={"required": gettext_lazy("Choose a warehouse.")},
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        currency: str,
        warehouses: Any,
        channel: str = "",
        payment_method: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["channel"].choices = _choices(MANUAL_CHANNELS, keep=channel)  # type: ignore[attr-defined]
        self.fields["payment_method"].choices = _choices(  # type: ignore[attr-defined]
            MANUAL_PAYMENTS, keep=payment_method
        )
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]
        self.fields["warehouse"].widget.attrs.update({"id": "of-warehouse", "class": "recalc"})
        for name in ("discount_total", "shipping_fee"):
            self.fields[name] = MoneyField(
                currency=currency,
                label=_("Order discount") if name == "discount_total" else _("Shipping fee"),
            )
            self.fields[name].widget.attrs["class"] = "num recalc"
        self.fields["ship_scheme"].initial = default_scheme()

    def clean_discount_total(self) -> Decimal:
        return self.cleaned_data.get("discount_total") or Decimal(0)

    def clean_shipping_fee(self) -> Decimal:
        return self.cleaned_data.get("shipping_fee") or Decimal(0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("customer_mode") == MODE_NEW:
            if not (data.get("new_name") or "").strip():
                self.add_error("new_name", _("Enter the customer's name."))
        elif not data.get("customer"):
            self.add_error("phone", _("Pick a customer, or add a new one."))
        address = data.get("address") or ""
        if address not in ("", ADDRESS_NEW, ADDRESS_KEEP) and id_or_none(address) is None:
            self.add_error(None, _("Choose a delivery address."))
        return data

    @property
    def is_new_customer(self) -> bool:
        return self.cleaned_data.get("customer_mode") == MODE_NEW

    def typed_address(self, *, name: str = "", phone: str = "") -> AddressInput | None:
        """The new address typed in the form, None when every field is blank. Recipient name
        and phone default to the customer's."""
        data = self.cleaned_data
        scheme = data.get("ship_scheme") or default_scheme()
        parts = {
            key: (data.get(f"ship_{key}") or "").strip()
            for key in ("province", "district", "ward", "postcode", "street")
        }
        if scheme == AddressScheme.VN_2LEVEL:
            parts["district"] = ""  # hidden in the form: the 2025 form has no district
        if scheme != AddressScheme.TH:
            parts["postcode"] = ""
        if not any(parts.values()):
            return None
        return AddressInput(
            recipient_name=(data.get("ship_name") or "").strip() or name,
            recipient_phone=(data.get("ship_phone") or "").strip() or phone,
            country="TH" if scheme == AddressScheme.TH else "VN",
            scheme=scheme,
            **parts,
        )

    def posted_lines(self, data: QueryDict, *, editing: bool) -> list[LineRow]:
        """The lines posted with the form (parse_lines); lines that cannot be read at all
        become a form error and no lines."""
        try:
            return parse_lines(data, currency=self.currency, keep_line_ids=editing)
        except LinesError as error:
            self.add_error(None, str(error))
            return []

    def manual_order(self, rows: list[LineRow], *, editing: bool) -> ManualOrder:
        """What the page's service takes (order_save_manual), from the valid form and lines."""
        data = self.cleaned_data
        common: dict[str, Any] = {
            "lines": [row.as_input() for row in rows],
            "channel": data["channel"],
            "payment_method": data["payment_method"],
            "warehouse_id": data["warehouse"].pk,
            "discount_total": data["discount_total"],
            "shipping_fee": data["shipping_fee"],
            "notes": data["notes"],
            "save_address": bool(data.get("save_address")),
            "currency": self.currency,
        }
        if self.is_new_customer:
            return ManualOrder(
                **common,
                new_customer=NewCustomer(
                    name=data["new_name"], phone=data["new_phone"], email=data["new_email"]
                ),
                new_address=self.typed_address(),
            )
        choice = data.get("address") or ""
        return ManualOrder(
            **common,
            customer_id=data["customer"],
            keep_address=choice == ADDRESS_KEEP and editing,
            wants_new_address=choice == ADDRESS_NEW,
            new_address=self.typed_address() if choice == ADDRESS_NEW else None,
            address_id=id_or_none(choice),
        )


# --- Amounts as typed so far (the totals preview) -----------------------------------------------


def money_or_zero(text: str | None, *, currency: str) -> Decimal:
    """An amount as typed, 0 when blank; ParseError when it cannot be read."""
    return parse_money(text, currency=currency) if (text or "").strip() else Decimal(0)


def money_or_zero_lenient(text: str | None, *, currency: str) -> Decimal:
    """The same, with an unreadable amount as 0 (the bound form shows its error already)."""
    try:
        return money_or_zero(text, currency=currency)
    except ParseError:
        return Decimal(0)


def typed_order_amounts(data: QueryDict, *, currency: str) -> tuple[dict[str, Decimal], list[str]]:
    """The order discount and the shipping fee as typed so far: ({name: amount}, errors); an
    unreadable one counts as 0 and adds an error naming its field."""
    errors: list[str] = []
    amounts: dict[str, Decimal] = {}
    for name, label in (
        ("discount_total", _("Order discount")),
        ("shipping_fee", _("Shipping fee")),
    ):
        try:
            amounts[name] = money_or_zero(data.get(name), currency=currency)
        except ParseError as error:
            errors.append(_("%(field)s: %(error)s") % {"field": label, "error": str(error)})
            amounts[name] = Decimal(0)
    return amounts, errors


# --- Lines ------------------------------------------------------------------------------------


@dataclass
class LineRow:
    """One row of the lines table as posted (texts kept to show them again) and as read."""

    key: str
    variant_id: int | None
    line_id: int | None
    qty_text: str
    price_text: str
    discount_text: str
    quantity: int | None = None
    unit_price: Decimal | None = None  # None: the default (sale price / the line's price)
    discount: Decimal = Decimal(0)
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and self.variant_id is not None and self.quantity is not None

    def as_input(self) -> LineInput:
        assert self.variant_id is not None
        assert self.quantity is not None
        return LineInput(
            variant_id=self.variant_id,
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount=self.discount,
            line_id=self.line_id,
        )


class LinesError(Exception):
    """The posted lines cannot be read at all (arrays of different lengths, too many)."""


def parse_lines(data: QueryDict, *, currency: str, keep_line_ids: bool) -> list[LineRow]:
    """Read the posted rows; each row keeps its own errors. Raise LinesError when the arrays
    do not line up. `keep_line_ids` False (a new order) ignores posted line ids."""
    columns = [data.getlist(name) for name in LINE_FIELDS]
    count = len(columns[0])
    if any(len(column) != count for column in columns):
        raise LinesError(_("The lines were not sent completely; reload the page and retry."))
    if count > MAX_LINES:
        raise LinesError(_("At most %(count)d lines per order.") % {"count": MAX_LINES})
    rows: list[LineRow] = []
    seen: set[str] = set()
    for index, (key, variant, line_id, qty, price, discount) in enumerate(
        zip(*columns, strict=True)
    ):
        clean_key = _KEY.sub("", key)[:24] or f"r{index}"
        if clean_key in seen:
            clean_key = f"{clean_key}-{index}"
        seen.add(clean_key)
        row = LineRow(
            key=clean_key,
            variant_id=id_or_none(variant),
            line_id=id_or_none(line_id) if keep_line_ids else None,
            qty_text=qty.strip(),
            price_text=price.strip(),
            discount_text=discount.strip(),
        )
        if row.variant_id is None:
            row.errors.append(_("Unknown product."))
        try:
            row.quantity = parse_quantity(row.qty_text) if row.qty_text else None
        except ParseError as error:
            row.errors.append(str(error))
        else:
            if row.quantity is None or not 1 <= row.quantity <= MAX_QUANTITY:
                row.quantity = None
                row.errors.append(_("Enter a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY})
        try:
            if row.price_text:
                row.unit_price = parse_money(row.price_text, currency=currency)
            if row.discount_text:
                row.discount = parse_money(row.discount_text, currency=currency)
        except ParseError as error:
            row.errors.append(str(error))
        rows.append(row)
    return rows


def row_for_line(
    *,
    line_id: int,
    variant_id: int,
    quantity: int,
    unit_price: Decimal,
    discount: Decimal,
    currency: str,
) -> LineRow:
    """A row showing an existing order line (edit page)."""
    return LineRow(
        key=f"l{line_id}",
        variant_id=variant_id,
        line_id=line_id,
        qty_text=str(quantity),
        price_text=money_input(unit_price, currency),
        discount_text=money_input(discount, currency) if discount else "",
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
    )


def rows_for_lines(lines: Iterable[OrderLine], *, currency: str) -> list[LineRow]:
    """The rows showing an order's lines (edit page)."""
    return [
        row_for_line(
            line_id=line.pk,
            variant_id=line.variant_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            currency=currency,
        )
        for line in lines
    ]


def row_for_variant(*, key: str, variant_id: int, sale_price: Decimal, currency: str) -> LineRow:
    """A new row for a picked variant: quantity 1 at its sale price."""
    return LineRow(
        key=_KEY.sub("", key)[:24] or f"v{variant_id}",
        variant_id=variant_id,
        line_id=None,
        qty_text="1",
        price_text=money_input(sale_price, currency),
        discount_text="",
        quantity=1,
        unit_price=sale_price,
    )
