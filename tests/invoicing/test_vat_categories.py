"""Goods not subject to VAT (KCT) and not declared (KKKNT), from the catalogue to the e-invoice,
on both providers over real HTTP: the variant's VAT category is snapshotted on the order line,
which carries no VAT, and the invoice shows the category's code (E.6: S-Invoice taxPercentage
-2 / -1, MISA VATRateName "KCT" / "KKKNT") beside 10 % and 8 % lines, a line discount, an order
discount and the shipping fee, exact to the dong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from inventory.models import Variant, VatCategory
from invoicing.models import InvoiceState
from invoicing.services.corrections import correction_draft, decrease_for_return
from invoicing.services.issuing import invoice_draft, invoice_issue
from orders.models import Order
from orders.services.orders.lines import LineInput
from orders.services.returns import ReturnLineInput, return_create
from tests.inventory.factories import VariantFactory, WarehouseFactory
from tests.orders.factories import make_customer

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class MixedOrder:
    order: Order
    seeds: Variant


@pytest.fixture
def mixed_order(db) -> MixedOrder:
    """Shipped: 2 x 165,000 at 10 %; 4 x 27,000 at 8 %; 5 x 12,000 KCT less 5,000 on the line;
    2 x 95,000 KKKNT; order discount 50,000; shipping 30,000 (prices include VAT)."""
    from inventory.services.stock import stock_receive
    from orders.services.orders.create import order_create
    from orders.services.orders.transitions import order_confirm, order_ship

    warehouse = WarehouseFactory()
    variants = []
    for name, price, category, rate in (
        ("Áo thun cotton", "165000", VatCategory.RATE, "10"),
        ("Sữa chua hộp", "27000", VatCategory.RATE, "8"),
        ("Hạt giống rau cải", "12000", VatCategory.NOT_SUBJECT, "0"),
        ("Cà phê nhân chưa rang 1 kg", "95000", VatCategory.NOT_DECLARED, "0"),
    ):
        variant = VariantFactory(
            product__name=name, sale_price=D(price), vat_category=category, vat_rate=D(rate)
        )
        stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=20)
        variants.append(variant)
    shirt, yoghurt, seeds, coffee = variants
    customer = make_customer(
        "Trần Thị Bình",
        company="Công ty TNHH Nông sản Bình An",
        tax_code="0100233488",
        emails=["binh@binhan.vn"],
    )
    order = order_create(
        customer_id=customer.pk,
        warehouse_id=warehouse.pk,
        lines=[
            LineInput(variant_id=shirt.pk, quantity=2),
            LineInput(variant_id=yoghurt.pk, quantity=4),
            LineInput(variant_id=seeds.pk, quantity=5, discount=D(5000)),
            LineInput(variant_id=coffee.pk, quantity=2),
        ],
        channel=Order.Channel.PHONE,
        payment_method="bank_transfer",
        user_id=None,
        discount_total=D(50000),
        shipping_fee=D(30000),
    )
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    order.refresh_from_db()
    return MixedOrder(order=order, seeds=seeds)


def _breakdown_sent(provider: Any) -> list[tuple[Any, Decimal, Decimal]]:
    last = provider.received()[-1]
    if provider.name == "sinvoice":
        return [
            (b["taxPercentage"], D(str(b["taxableAmount"])), D(str(b["taxAmount"])))
            for b in last["taxBreakdowns"]
        ]
    return [
        (t["VATRateName"], D(str(t["AmountWithoutVATOC"])), D(str(t["VATAmountOC"])))
        for t in last["TaxRateInfo"]
    ]


def _totals_sent(provider: Any) -> tuple[Decimal, Decimal, Decimal]:
    last = provider.received()[-1]
    if provider.name == "sinvoice":
        s = last["summarizeInfo"]
        keys = ("totalAmountWithoutTax", "totalTaxAmount", "totalAmountWithTax")
        return (D(str(s[keys[0]])), D(str(s[keys[1]])), D(str(s[keys[2]])))
    keys = ("TotalAmountWithoutVATOC", "TotalVATAmountOC", "TotalAmountOC")
    return (D(str(last[keys[0]])), D(str(last[keys[1]])), D(str(last[keys[2]])))


def test_the_order_lines_keep_the_category_and_carry_no_vat(mixed_order) -> None:
    """Line totals 330,000 / 108,000 / 55,000 / 190,000 = subtotal 683,000. The order discount
    50,000 spread by line total: 24,158.13 / 7,906.30 / 4,026.35 / 13,909.22, floored to
    24,158 / 7,906 / 4,026 / 13,909 (49,999), the last dong to the largest remainder (the
    seeds, .35): 4,027. VAT contained: 305,842 x 10/110 = 27,803.8 -> 27,804 and
    100,094 x 8/108 = 7,414.4 -> 7,414; none on the KCT and KKKNT lines. vat_total 35,218;
    total 683,000 - 50,000 + 30,000 = 663,000."""
    order = mixed_order.order
    assert list(
        order.lines.order_by("pk").values_list("vat_category", "vat_rate", "vat_amount")
    ) == [
        ("rate", D(10), D(27804)),
        ("rate", D(8), D(7414)),
        ("not_subject", D(0), D(0)),
        ("not_declared", D(0), D(0)),
    ]
    assert (order.subtotal, order.vat_total, order.total) == (D(683000), D(35218), D(663000))


def test_a_mixed_invoice_is_issued_exact_to_the_dong(provider, mixed_order) -> None:
    """Per line (net = line total - its share of the order discount; VAT = net x r/(100+r)):
      shirt   330,000 - 24,158 = 305,842; VAT 27,804; amount 278,038; 330,000 contains 30,000
              VAT, so 300,000 without VAT (unit 150,000) and discount 300,000 - 278,038 = 21,962
      yoghurt 108,000 - 7,906 = 100,094; VAT 7,414; amount 92,680; 108,000 is 100,000 without
              VAT (unit 25,000), discount 7,320
      seeds   KCT: 60,000 - 5,000 - 4,027 = 50,973; VAT 0; unit 12,000; discount 9,027
      coffee  KKKNT: 190,000 - 13,909 = 176,091; VAT 0; unit 95,000; discount 13,909
      shipping 30,000 at 10 % (the goods' rates differ): VAT 30,000 x 10/110 = 2,727.3 -> 2,727;
              amount 27,273
    Breakdown: 10 % 278,038 + 27,273 = 305,311 and 27,804 + 2,727 = 30,531; 8 % 92,680 and
    7,414; KCT 50,973 and 0; KKKNT 176,091 and 0. Without VAT 625,055, VAT 37,945, total
    663,000 = what the order charged."""
    invoice = invoice_draft(order=mixed_order.order, account=provider.account)
    assert list(
        invoice.lines.order_by("number").values_list(
            "kind", "vat_rate", "unit_price", "discount", "amount", "vat_amount"
        )
    ) == [
        ("goods", "10", D(150000), D(21962), D(278038), D(27804)),
        ("goods", "8", D(25000), D(7320), D(92680), D(7414)),
        ("goods", "kct", D(12000), D(9027), D(50973), D(0)),
        ("goods", "kkknt", D(95000), D(13909), D(176091), D(0)),
        ("fee", "10", D(27273), D(0), D(27273), D(2727)),
    ]
    assert (invoice.total_without_vat, invoice.total_vat, invoice.total) == (
        D(625055),
        D(37945),
        D(663000),
    )
    issued = invoice_issue(invoice_id=invoice.pk)
    assert issued.state == InvoiceState.ISSUED
    if provider.name == "sinvoice":
        assert provider.rates_sent() == [10, 8, -2, -1, 10]
        codes: tuple[Any, ...] = (10, 8, -2, -1)
    else:
        assert provider.rates_sent() == ["10%", "8%", "KCT", "KKKNT", "10%"]
        codes = ("10%", "8%", "KCT", "KKKNT")
    assert _breakdown_sent(provider) == [
        (codes[0], D(305311), D(30531)),
        (codes[1], D(92680), D(7414)),
        (codes[2], D(50973), D(0)),
        (codes[3], D(176091), D(0)),
    ]
    assert _totals_sent(provider) == (D(625055), D(37945), D(663000))
    assert provider.count() == 1


def test_a_returned_kct_line_is_adjusted_as_kct(provider, mixed_order) -> None:
    """2 of the 5 seed packs back: the line's 55,000 net of the order discount is
    55,000 x 633,000 / 683,000 = 50,973.65; 2 of 5 units are worth 20,389.46 -> 20,389, no VAT.
    Gross 2 x 12,000 = 24,000, so the discount is 24,000 - 20,389 = 3,611."""
    original = invoice_issue(
        invoice_id=invoice_draft(order=mixed_order.order, account=provider.account).pk
    )
    line = mixed_order.order.lines.get(variant=mixed_order.seeds)
    order_return = return_create(
        order_id=mixed_order.order.pk, lines=[ReturnLineInput(line.pk, 2, "good")], user_id=None
    )
    proposal = decrease_for_return(order_return)
    assert [
        (ln.vat_rate.value, ln.quantity, ln.unit_price, ln.discount, ln.amount, ln.vat_amount)
        for ln in proposal.lines
    ] == [("kct", D(2), D(12000), D(3611), D(20389), D(0))]
    adjustment = correction_draft(
        original=original,
        kind="decrease",
        reason="Khách trả lại 2 gói hạt giống",
        agreement_name="Biên bản điều chỉnh số 05/2026",
        agreement_date=date(2026, 12, 7),
        computed=proposal,
    )
    issued = invoice_issue(invoice_id=adjustment.pk)
    issued.refresh_from_db()
    assert (issued.state, issued.total_without_vat, issued.total_vat, issued.total) == (
        InvoiceState.ISSUED,
        D(20389),
        D(0),
        D(20389),
    )
    assert provider.rates_sent() == ([-2] if provider.name == "sinvoice" else ["KCT"])
    assert provider.count() == 2
