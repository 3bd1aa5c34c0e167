"""A purchase in a conversation becomes a draft order (status new: nothing reserved until staff
confirm it) only after the assistant has read back the items, quantities, prices, shipping
fee, address and phone (draft_read_back, which issues a confirmation token kept on the
conversation) and the customer said yes in a LATER message (draft_order_create with that
token). A price that changed since the read-back voids the token: it must be read back again.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from assistant.engine import ToolResult, money_text
from assistant.models import Conversation
from assistant.tools import ToolContext, _available, _e164, shipping_fee_estimate
from common.money import quantize
from common.phones import format_phone
from inventory.models import Variant, Warehouse
from orders.errors import CustomerError, OrderError
from orders.models import Order, PaymentMethod
from orders.selectors import customers_with_phone
from orders.services.customers import AddressInput, CustomerInput, address_clean, customer_create
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput, variant_display_name

MAX_ITEMS = 20


def _refused(name: str, args: dict[str, Any], error: str, **more: Any) -> ToolResult:
    return ToolResult(name, args, False, {"error": error, **more})


def _priced_lines(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """[{"sku", "name", "quantity", "unit_price", "line_total"}] at today's prices, or the error
    code ("unknown_sku:X", "bad_quantity:X", "not_enough_stock:X")."""
    skus = [str(item.get("sku", "")).strip() for item in items]
    condition = Q()
    for sku in skus:
        if sku:
            condition |= Q(sku__iexact=sku)
    variants = (
        {
            v.sku.upper(): v
            for v in Variant.objects.filter(condition, is_active=True, product__is_active=True)
            .select_related("product")
            .order_by("pk")
        }
        if condition
        else {}
    )
    stock = _available([v.pk for v in variants.values()])
    currency = settings.SHOP_CURRENCY
    lines = []
    for sku, item in zip(skus, items, strict=True):
        variant = variants.get(sku.upper())
        if variant is None:
            return [], f"unknown_sku:{sku}"
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 999:
            return [], f"bad_quantity:{sku}"
        if quantity > stock.get(variant.pk, 0):
            return [], f"not_enough_stock:{variant.sku}"
        price = quantize(variant.sale_price, currency)
        lines.append(
            {
                "variant_id": variant.pk,
                "sku": variant.sku,
                "name": variant_display_name(variant.product.name, variant.option_values),
                "quantity": quantity,
                "unit_price": money_text(price),
                "line_total": money_text(price * quantity),
                "available": stock.get(variant.pk, 0),
            }
        )
    return lines, ""


def draft_read_back(
    ctx: ToolContext,
    *,
    items: list[dict[str, Any]],
    name: str,
    phone: str,
    street: str,
    ward: str,
    province: str,
    district: str = "",
    postcode: str = "",
) -> ToolResult:
    """Price the purchase now, check the address and phone, keep it on the conversation with a
    new confirmation token, and return everything the assistant must read back."""
    tool = "prepare_draft_order"
    args = {
        "items": items,
        "name": name,
        "phone": phone,
        "street": street,
        "ward": ward,
        "province": province,
        "district": district,
        "postcode": postcode,
    }
    if not items or len(items) > MAX_ITEMS:
        return _refused(tool, args, "no_items")
    lines, error = _priced_lines(items)
    if error:
        return _refused(tool, args, error.split(":")[0], sku=error.partition(":")[2])
    e164 = _e164(phone)
    if not e164:
        return _refused(tool, args, "bad_phone")
    address = AddressInput(
        recipient_name=name,
        recipient_phone=e164,
        street=street,
        ward=ward,
        district=district,
        province=province,
        postcode=postcode,
    )
    try:
        clean = address_clean(address)
    except CustomerError as exc:
        return _refused(tool, args, "bad_address", why=str(exc))
    subtotal = sum((Decimal(line["line_total"]) for line in lines), Decimal(0))
    weight = sum(
        Variant.objects.filter(pk__in=[line["variant_id"] for line in lines])
        .values_list("weight_grams", flat=True)
        .iterator()
    )
    fee = shipping_fee_estimate(
        ctx,
        province=clean.province,
        district=clean.district,
        ward=clean.ward,
        weight_grams=int(weight) or 500,
        goods_value=money_text(subtotal),
    ).data
    token = secrets.token_hex(4)
    read_back = {
        "lines": [{k: v for k, v in line.items() if k != "available"} for line in lines],
        "subtotal": money_text(subtotal),
        "shipping_fee": fee["fee"],
        "shipping_source": fee["source"],
        "total": money_text(subtotal + Decimal(fee["fee"])),
        "currency": settings.SHOP_CURRENCY,
        "name": clean.recipient_name,
        "phone": format_phone(e164),
        "address": asdict(clean),
        "payment": "cod",
    }
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=ctx.conversation_id)
        conversation.draft = {
            "memory": (conversation.draft or {}).get("memory", {}),
            "token": token,
            "read_back_after": ctx.inbound_message_id,
            "read_back": read_back,
        }
        conversation.save(update_fields=["draft"])
    return ToolResult(tool, args, True, {**read_back, "token": token})


def _warehouse_id() -> int | None:
    configured = settings.ASSISTANT_WAREHOUSE_ID
    if configured:
        return int(configured)
    pk = (
        Warehouse.objects.filter(is_active=True, kind=Warehouse.Kind.MAIN)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return int(pk) if pk is not None else None


def _customer_id(read_back: dict[str, Any]) -> int:
    matches = customers_with_phone(phone=read_back["phone"])
    if matches:
        return matches[0].pk
    address = AddressInput(**read_back["address"])
    customer = customer_create(
        data=CustomerInput(name=read_back["name"], phones=[read_back["phone"]]),
        addresses=[address],
    )
    return customer.pk


def draft_order_create(ctx: ToolContext, *, token: str) -> ToolResult:
    """The draft order of the read-back holding `token`, after the customer's yes in a later
    message. Refused: no read-back, another token, the same message, or a price changed."""
    tool = "create_draft_order"
    args = {"token": token}
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=ctx.conversation_id)
        draft = conversation.draft or {}
        if not draft.get("token") or not secrets.compare_digest(
            str(draft["token"]), str(token or "")
        ):
            return _refused(tool, args, "not_confirmed")
        if int(draft.get("read_back_after", 0)) >= ctx.inbound_message_id:
            return _refused(tool, args, "not_confirmed")
        read_back = draft["read_back"]
        items = [{"sku": x["sku"], "quantity": x["quantity"]} for x in read_back["lines"]]
        lines, error = _priced_lines(items)
        changed = error or any(
            now["unit_price"] != then["unit_price"]
            for now, then in zip(lines, read_back["lines"], strict=True)
        )
        if changed:
            conversation.draft = {}
            conversation.save(update_fields=["draft"])
            return _refused(tool, args, "changed_since_read_back")
        try:
            order = _order_create(conversation, read_back, lines, ctx)
        except (OrderError, CustomerError) as exc:
            return _refused(tool, args, "refused", why=str(exc))
        conversation.customer_id = order.customer_id
        conversation.draft = {}
        conversation.verified_orders = [*conversation.verified_orders, order.number]
        conversation.save(update_fields=["customer", "draft", "verified_orders"])
    data = {
        "order_number": order.number,
        "total": money_text(order.total),
        "currency": order.currency,
        "lines": read_back["lines"],
        "shipping_fee": money_text(order.shipping_fee),
    }
    return ToolResult(tool, args, True, data)


def _order_create(
    conversation: Conversation,
    read_back: dict[str, Any],
    lines: list[dict[str, Any]],
    ctx: ToolContext,
) -> Order:
    with transaction.atomic():
        return order_create(
            customer_id=_customer_id(read_back),
            lines=[LineInput(variant_id=x["variant_id"], quantity=x["quantity"]) for x in lines],
            channel=Order.Channel.CHAT,
            payment_method=PaymentMethod.COD,
            user_id=None,
            warehouse_id=_warehouse_id(),
            shipping=AddressInput(**read_back["address"]),
            shipping_fee=Decimal(read_back["shipping_fee"]),
            notes=f"AI assistant, conversation {conversation.pk}",
            now=ctx.now,
        )
