"""The assistant's tools: typed functions over our selectors and services (never raw SQL, never
free text), each returning a ToolResult with JSON-safe data, and the JSON schema an LLM engine
sends for it (TOOLS). Every fact a reply states comes from one of these results.

Catalogue search matches names, SKUs and option values in Vietnamese with or without
diacritics (common.text.fold), Thai (pythainlp word segmentation) and English, with rapidfuzz.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from rapidfuzz import fuzz

from assistant import synonyms
from assistant.engine import ToolResult, money_text
from assistant.ports import (
    PortError,
    ShippingQuery,
    call_back_port,
    delivery_estimate_port,
    shipping_quote_port,
)
from common.money import quantize
from common.text import fold
from inventory.models import StockLevel, Variant
from inventory.models.stock import available_units
from orders.errors import InvalidPhoneNumber
from orders.models import Order
from orders.services.orders.lines import variant_display_name
from orders.validators import phone_normalize

MAX_RESULTS = 5
MIN_SCORE = 45  # match_score (0-100) a catalogue match needs
MAX_BEHIND_BEST = 15  # and no further than this below the best match
SYNONYM_PART = 50  # of the name's 70, when synonyms name it
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_THAI_RUN = re.compile(r"([\u0e00-\u0e7f]+)")
_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")  # "t-shirt", "ts-001", "i'm" (not "i" and size "m")


@dataclass(frozen=True)
class ToolContext:
    """The turn a tool runs in: the conversation, the inbound message being answered, now."""

    conversation_id: int
    inbound_message_id: int
    now: datetime


def words(text: str) -> list[str]:
    """Folded search words; Thai runs are segmented into words (Thai has no spaces). A run of
    other letters and digits stays one word even when Thai follows it without a space
    ("ts-001ราคา": "ts-001", "ราคา")."""
    folded = fold(text)
    if not _THAI.search(folded):
        return re.findall(_WORD, folded)
    from pythainlp.tokenize import word_tokenize

    found: list[str] = []
    for index, run in enumerate(_THAI_RUN.split(folded)):
        if index % 2 == 0:  # not Thai
            found += re.findall(_WORD, run)
            continue
        tokens = word_tokenize(run, engine="newmm", keep_whitespace=False)
        found += [t for t in (tok.strip() for tok in tokens) if t and re.search(r"\w", t)]
    return found


# --- Catalogue ------------------------------------------------------------------------------


def _available(variant_ids: list[int]) -> dict[int, int]:
    """Units available now (on hand - reserved) in active warehouses, per variant."""
    rows = (
        StockLevel.objects.filter(variant_id__in=variant_ids, warehouse__is_active=True)
        .values("variant_id")
        .annotate(units=Sum(available_units()))
        .order_by()
    )
    return {row["variant_id"]: max(int(row["units"] or 0), 0) for row in rows}


def _variant_data(variant: Variant, available: int) -> dict[str, Any]:
    currency = settings.SHOP_CURRENCY
    return {
        "sku": variant.sku,
        "name": variant_display_name(variant.product.name, variant.option_values),
        "product": variant.product.name,
        "options": variant.option_values,
        "price": money_text(quantize(variant.sale_price, currency)),
        "currency": currency,
        "available": available,
    }


def _live_variants() -> Any:
    return Variant.objects.filter(is_active=True, product__is_active=True).select_related("product")


def _search_terms(query_words: list[str], named: set[int]) -> set[str]:
    """What a candidate's search text may hold: the words, the start of each longer word (a
    plural, a typo at its end), and every term of the synonym groups the words name."""
    terms = {word for word in query_words if len(word) >= 2}
    terms |= {word[: max(3, len(word) - 2)] for word in query_words if len(word) >= 4}
    for index in named:
        terms |= {w for term in synonyms.GROUPS[index] for w in term.split() if len(w) >= 2}
    return terms


def _candidates(query_words: list[str], named: set[int]) -> list[Variant]:
    """Variants whose search text holds one of the search terms (or the first 2000 when none
    do)."""
    condition = Q()
    for term in sorted(_search_terms(query_words, named)):
        condition |= Q(search_text__contains=term)
    qs = _live_variants().order_by("pk")
    found = list(qs.filter(condition)[:1000]) if condition else []
    return found or list(qs[:2000])


def _hit(word: str, pool: list[str]) -> bool:
    """`word` is in `pool`, or (3 letters and more) nearly: a typo, a missing diacritic mark."""
    if word in pool:
        return True
    return len(word) >= 3 and any(
        len(other) >= 3 and fuzz.ratio(word, other) >= 85 for other in pool
    )


def match_score(
    query_words: list[str],
    variant: Variant,
    named: set[int] | None = None,
    asks_options: bool | None = None,
) -> float:
    """0-100: how well the words name this variant. The product's name counts 70 (any 2 of its
    words suffice; SYNONYM_PART when named through synonyms), its option values 30 in
    proportion of those the query names; all 30 when the
    query names no option (of this variant, among `asks_options`: of any candidate) and none
    for a product without options when it does. A SKU typed exactly is 100. A word is named
    when the query holds it, nearly (_hit, for the name), or a synonym of it in any of our
    languages (`named`: the assistant.synonyms groups the query names)."""
    if variant.sku.casefold() in query_words:
        return 100.0
    if named is None:
        named = synonyms.groups_named(query_words)
    name_words = words(variant.product.name)
    if not name_words:
        return 0.0
    needed = min(len(name_words), 2)
    direct = {i for i, word in enumerate(name_words) if _hit(word, query_words)}
    by_synonym = direct | synonyms.covered(name_words, named)
    if not by_synonym:
        return 0.0
    # The customer's own words count fully, synonyms up to SYNONYM_PART (the literal name
    # ranks first); naming what the product is ("giày", "shoes" for "Giày Canvas") is enough.
    synonym_part = SYNONYM_PART * min(len(by_synonym) / needed, 1.0)
    if synonyms.covered(name_words, named & synonyms.KIND_GROUPS):
        synonym_part = SYNONYM_PART
    name_part = max(70 * min(len(direct) / needed, 1.0), synonym_part)
    option_words = [w for value in variant.option_values for w in words(value)]
    by_synonym = synonyms.covered(option_words, named)
    option_hits = sum(
        1 for i, word in enumerate(option_words) if i in by_synonym or word in query_words
    )
    if asks_options is None:
        asks_options = bool(option_hits or named & synonyms.OPTION_GROUPS)
    if not option_words or not option_hits:
        return name_part + (0 if asks_options else 30)
    return name_part + 30 * option_hits / len(option_words)


def _asks_options(query_words: list[str], named: set[int], variants: list[Variant]) -> bool:
    """The query names a colour or size, or an option value of one of the variants."""
    if named & synonyms.OPTION_GROUPS:
        return True
    query = set(query_words)
    return any(w in query for v in variants for value in v.option_values for w in words(value))


def catalogue_matches(query: str, *, limit: int = MAX_RESULTS) -> list[tuple[Variant, float]]:
    """The active variants best matching `query` (score >= MIN_SCORE, and at most
    MAX_BEHIND_BEST below the best), best first; among equals the one with the lowest id
    first."""
    query_words = [w.casefold() for w in words(query)]
    if not query_words:
        return []
    named = synonyms.groups_named(query_words)
    candidates = _candidates(query_words, named)
    asks = _asks_options(query_words, named, candidates)
    scored = [(v, match_score(query_words, v, named, asks)) for v in candidates]
    ranked = sorted(
        ((v, score) for v, score in scored if score >= MIN_SCORE),
        key=lambda pair: (-pair[1], pair[0].pk),
    )
    if ranked:  # far below the best: another product (a sibling kind, a word in common)
        ranked = [(v, score) for v, score in ranked if score >= ranked[0][1] - MAX_BEHIND_BEST]
    return ranked[:limit]


def search_products(ctx: ToolContext, *, query: str, limit: int = MAX_RESULTS) -> ToolResult:
    """Products matching a name, SKU or option values, with their price and units available."""
    args = {"query": query, "limit": limit}
    matches = catalogue_matches(query, limit=max(1, min(limit, MAX_RESULTS)))
    stock = _available([v.pk for v, _ in matches])
    items = [
        {**_variant_data(v, stock.get(v.pk, 0)), "score": round(score)} for v, score in matches
    ]
    return ToolResult("search_products", args, True, {"items": items})


def variant_price_stock(ctx: ToolContext, *, sku: str) -> ToolResult:
    """The price and the units available now of one SKU."""
    args = {"sku": sku}
    variant = _live_variants().filter(sku__iexact=sku.strip()).first()
    if variant is None:
        return ToolResult("variant_price_stock", args, False, {"error": "unknown_sku"})
    available = _available([variant.pk]).get(variant.pk, 0)
    return ToolResult("variant_price_stock", args, True, _variant_data(variant, available))


# --- Orders ---------------------------------------------------------------------------------


def _e164(phone: str) -> str:
    try:
        return phone_normalize(phone).e164
    except InvalidPhoneNumber:
        return ""


def order_phone_matches(order: Order, phone: str) -> bool:
    """True if `phone` is the order's delivery phone or one of its customer's phones."""
    e164 = _e164(phone)
    if not e164:
        return False
    if order.ship_phone == e164:
        return True
    return order.customer.phones.filter(e164=e164).exists()


def order_status(ctx: ToolContext, *, order_number: str, phone: str) -> ToolResult:
    """An order's status and totals, only when `phone` is the phone on the order. An unknown
    number and a wrong phone get the same answer (nobody learns that an order exists)."""
    args = {"order_number": order_number, "phone": phone}
    number = order_number.strip().upper()
    order = Order.objects.filter(number=number).select_related("customer").first()
    if order is None or not order_phone_matches(order, phone):
        return ToolResult("order_status", args, False, {"error": "not_found_or_phone_mismatch"})
    local = timezone.localtime(order.created_at)
    estimate = delivery_estimate_port()
    expected = estimate(order.pk) if estimate is not None else None
    data = {
        "order_number": order.number,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "total": money_text(quantize(order.total, order.currency)),
        "currency": order.currency,
        "created": local.date().isoformat(),
        "shipped": timezone.localtime(order.shipped_at).date().isoformat()
        if order.shipped_at
        else "",
        "expected_delivery": timezone.localtime(expected).date().isoformat() if expected else "",
        "items": [
            {"sku": line.sku, "name": line.name, "quantity": line.quantity}
            for line in order.lines.order_by("pk")
        ],
    }
    return ToolResult("order_status", args, True, data)


# --- Shipping and call-backs -----------------------------------------------------------------


def flat_shipping_fee(goods_value: Decimal) -> Decimal:
    """The shop's flat rule: ASSISTANT_SHIPPING_FLAT_FEE, free from ASSISTANT_FREE_SHIPPING_FROM
    (when set) of goods value."""
    currency = settings.SHOP_CURRENCY
    free_from = settings.ASSISTANT_FREE_SHIPPING_FROM
    if free_from is not None and goods_value >= Decimal(free_from):
        return quantize(0, currency)
    return quantize(Decimal(settings.ASSISTANT_SHIPPING_FLAT_FEE), currency)


def shipping_fee_estimate(
    ctx: ToolContext,
    *,
    province: str,
    district: str = "",
    ward: str = "",
    weight_grams: int = 500,
    goods_value: str = "0",
) -> ToolResult:
    """The shipping fee: a carrier's live quote when a carrier account can quote the route,
    else the shop's flat rule; `source` says which ("carrier" or "flat")."""
    args = {
        "province": province,
        "district": district,
        "ward": ward,
        "weight_grams": weight_grams,
        "goods_value": goods_value,
    }
    try:
        value = Decimal(str(goods_value or "0"))
    except ArithmeticError:
        value = Decimal(0)
    currency = settings.SHOP_CURRENCY
    port = shipping_quote_port()
    query = ShippingQuery(province, district, ward, max(int(weight_grams), 1), value)
    quote = port(query) if port is not None and province.strip() else None
    if quote is not None:
        data = {
            "source": "carrier",
            "carrier": quote.carrier,
            "service": quote.service,
            "fee": money_text(quantize(quote.fee, currency)),
            "currency": currency,
        }
    else:
        data = {
            "source": "flat",
            "fee": money_text(flat_shipping_fee(value)),
            "currency": currency,
        }
    return ToolResult("shipping_fee_estimate", args, True, data)


def request_call_back(ctx: ToolContext, *, name: str, phone: str, note: str = "") -> ToolResult:
    """A contact request for staff (red marker: due now), assigned by the shop's rule."""
    from assistant.ports import CallBackRequest

    args = {"name": name, "phone": phone, "note": note}
    port = call_back_port()
    if port is None:
        return ToolResult("request_call_back", args, False, {"error": "unavailable"})
    try:
        created = port(CallBackRequest(name=name, phone=phone, message=note, now=ctx.now))
    except PortError as error:
        return ToolResult("request_call_back", args, False, {"error": "refused", "why": str(error)})
    return ToolResult(
        "request_call_back", args, True, {"request_id": created.request_id, "phone": phone}
    )


ToolFunction = Callable[..., ToolResult]
