"""The built-in responder, the default engine: no model, no network. It detects the customer's
language, the intent and the entities of the message, finds products in the live catalogue
(assistant.tools), calls the same tools an LLM engine would and answers from the templates in
assistant.offline.render. Its memory between turns is conversation.draft["memory"]: the step
of a purchase ("choose" an option, send "details"), or half of an order-status question."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import translation

from assistant import drafts, synonyms, tools
from assistant.engine import Reply, ToolResult
from assistant.models import Conversation, Direction, HandOverReason, Message
from assistant.offline import details, intents
from assistant.offline.language import detect_language
from assistant.offline.render import item_line, render_one, text
from assistant.tools import ToolContext
from common.phones import shop_country
from common.text import fold

_WORDS = (
    "toi minh em anh chi ban shop a ak ah nhe nha oi voi cho co khong ko con the is are you "
    "have i my me want please what how of for and hang nay kia nao gi la thi muon can xem hoi "
    "vay nhi duoc chua roi ne di nua them sell any some this that it one ones get need like "
    "would there your we still left ไหม ครับ ค่ะ คะ นะ มี"
)
# Keyword words that also name a product, colour or size ("trang" of "tinh trang don" is
# white, "do" is red) stay in a product search, unless part of a whole keyword phrase.
_STOP = (intents.terms_of_intents() | set(_WORDS.split())) - synonyms.words_of_groups()
_PHRASES = intents.intent_phrases()


class _Turn:
    """One turn: the conversation, its language, the tool context and the results so far."""

    def __init__(self, conversation: Conversation, message: str, now: datetime) -> None:
        self.conversation = conversation
        self.message = message
        self.language = detect_language(
            message, default=conversation.language or settings.LANGUAGE_CODE
        )
        inbound = (
            Message.objects.filter(conversation=conversation, direction=Direction.IN)
            .order_by("-id")
            .values_list("pk", flat=True)
            .first()
        )
        self.ctx = ToolContext(conversation.pk, int(inbound or 0), now)
        self.results: list[ToolResult] = []
        draft = conversation.draft or {}
        self.memory: dict[str, Any] = dict(draft.get("memory") or {})
        self.token = str(draft.get("token") or "")
        self.read_back: dict[str, Any] = draft.get("read_back") or {}
        self.entities = intents.entities_of(message)

    def call(self, function: Any, **arguments: Any) -> ToolResult:
        with translation.override(self.language):
            result: ToolResult = function(self.ctx, **arguments)
        self.results.append(result)
        return result

    def reply(self, body: str, **fields: Any) -> Reply:
        return Reply(
            text=body,
            tool_results=tuple(self.results),
            language=self.language,
            engine=OfflineEngine.name,
            **fields,
        )

    def t(self, key: str, **values: Any) -> str:
        return text(key, self.language, **values)


def _without_phrases(found: list[str]) -> list[str]:
    kept = list(found)
    for phrase in _PHRASES:
        size = len(phrase)
        index = 0
        while index <= len(kept) - size:
            if kept[index : index + size] == phrase:
                del kept[index : index + size]
            else:
                index += 1
    return kept


def product_query(message: str) -> str:
    """The message without keywords, pronouns, numbers, phone and address: the words naming a
    product."""
    found = _without_phrases(tools.words(intents.without_phone(intents.without_address(message))))
    return " ".join(w for w in found if w not in _STOP and not w.isdigit())


class OfflineEngine:
    name = "offline"

    def reply(
        self, *, conversation: Conversation, text: str, now: datetime, correction: str = ""
    ) -> Reply:
        turn = _Turn(conversation, text, now)
        intent = intents.intent_of(text)
        short = len(fold(text).split()) <= 6
        if turn.token and short and intent in ("", "buy", "thanks"):
            if intents.is_no(text):
                return turn.reply(turn.t("cancelled"), memory={}, intent="cancel")
            if intents.is_yes(text):
                return _confirm(turn)
        step = turn.memory.get("step")
        if intent == "complaint":
            return _complaint(turn)
        if step == "details" and (turn.entities.phone or not intent):
            return _details(turn, turn.message)
        if step == "choose" and intent in ("", "buy") and intents.is_delivery_details(text):
            return _details_before_choice(turn)
        if step == "call_back" and turn.entities.phone:
            return _call_back(turn)
        if step == "choose" and intent in ("", "buy"):
            chosen = _choose(turn)
            if chosen is not None:
                return chosen
        if intent == "order_status" or turn.entities.order_number or step == "order":
            return _order_status(turn)
        handler = _HANDLERS.get(intent)
        if handler is not None:
            return handler(turn)
        return _products(turn, intent="")


# --- Purchase ---------------------------------------------------------------------------------


def _confirm(turn: _Turn) -> Reply:
    result = turn.call(drafts.draft_order_create, token=turn.token)
    if result.ok:
        return turn.reply(render_one(result, turn.language), memory={}, intent="confirm")
    if result.data.get("error") == "changed_since_read_back" and turn.read_back:
        again = _read_back(turn, turn.read_back)
        return turn.reply(f"{turn.t('changed')}\n{again.text}", intent="confirm")
    return turn.reply(render_one(result, turn.language) or turn.t("off_topic"), failed=True)


def _read_back(turn: _Turn, data: dict[str, Any]) -> Reply:
    address = data["address"]
    result = turn.call(
        drafts.draft_read_back,
        items=[{"sku": x["sku"], "quantity": x["quantity"]} for x in data["lines"]],
        name=data["name"],
        phone=data["phone"],
        street=address["street"],
        ward=address["ward"],
        district=address.get("district", ""),
        province=address["province"],
        postcode=address.get("postcode", ""),
    )
    return turn.reply(render_one(result, turn.language), intent="read_back")


def _split_details(message: str) -> dict[str, str] | None:
    """name, street, ward, district, province, postcode from "name, phone, street, ward,
    [district,] province[, postcode]" (Thailand: district and postcode required)."""
    rest = intents.without_phone(message)
    postcode = intents.entities_of(message).postcode
    if postcode:
        rest = re.sub(rf"(?<!\d){postcode}(?!\d)", " ", rest)
    parts = [p.strip(" .:-") for p in re.split(r"[,\n;]", rest)]
    parts = [re.sub(r"^(?:ten|name|dia chi|address|sdt)\s*:\s*", "", p, flags=re.I) for p in parts]
    parts = [p for p in parts if p]
    thai = shop_country() == "TH"
    district_like = len(parts) >= 5 and (
        thai or fold(parts[-2]).startswith(("quan", "huyen", "thi xa", "q.", "q "))
    )
    if len(parts) < (5 if thai else 4):
        return None
    tail = 3 if district_like else 2
    return {
        "name": parts[0],
        "street": ", ".join(parts[1:-tail]) or parts[1],
        "ward": parts[-tail],
        "district": parts[-2] if district_like else "",
        "province": parts[-1],
        "postcode": postcode,
    }


def _details(turn: _Turn, message: str) -> Reply:
    """The read-back of the purchase in memory, to the name, phone and address of `message`."""
    details = _split_details(message)
    phone = intents.entities_of(message).phone
    # Unreadable details: the purchase waits for them again (memory: its items, step details).
    if details is None or not phone:
        return turn.reply(turn.t("ask_details"), failed=True, intent="details", memory=turn.memory)
    result = turn.call(drafts.draft_read_back, items=turn.memory["items"], phone=phone, **details)
    if not result.ok:
        why = str(result.data.get("why") or result.data.get("error"))
        body = f"{turn.t('bad_details', why=why)}\n{turn.t('ask_details')}"
        return turn.reply(body, failed=True, intent="details", memory=turn.memory)
    memory = {**turn.memory, "step": "read_back"}
    return turn.reply(render_one(result, turn.language), memory=memory, intent="read_back")


def _start_purchase(turn: _Turn, matches: list[dict[str, Any]], quantity: int) -> Reply:
    best = matches[0]
    lines = "\n".join(item_line(item, turn.language) for item in matches)
    ties = [m for m in matches if m["score"] == best["score"]]
    if len(ties) > 1:
        memory = {"step": "choose", "skus": [m["sku"] for m in ties], "quantity": quantity}
        return turn.reply(f"{turn.t('choose')}\n{lines}", memory=memory, intent="buy")
    if best["available"] < quantity:
        body = f"{turn.t('not_enough')}\n{item_line(best, turn.language)}"
        return turn.reply(body, intent="buy", memory={})
    memory = {"step": "details", "items": [{"sku": best["sku"], "quantity": quantity}]}
    given = str(turn.memory.get("details") or "")  # sent before choosing the option
    if not given and intents.is_delivery_details(turn.message):  # sent with the purchase
        known = details.product_words(best["sku"], best["product"], best["options"])
        given = details.purchase_details(turn.message, known)
    if given:
        turn.memory = memory
        return _details(turn, given)
    body = f"{item_line(best, turn.language)}\n{turn.t('ask_details')}"
    return turn.reply(body, memory=memory, intent="buy")


def _details_before_choice(turn: _Turn) -> Reply:
    """Delivery details while the customer still has to pick among the variants offered: keep
    them for the read-back and ask for the option again (an address is not a product)."""
    lines = []
    for sku in turn.memory.get("skus", []):
        result = turn.call(tools.variant_price_stock, sku=sku)
        if result.ok:
            lines.append(item_line(result.data, turn.language))
    memory = {**turn.memory, "details": turn.message}
    body = "\n".join([turn.t("choose_first"), *lines])
    return turn.reply(body, memory=memory, intent="details")


def _choose(turn: _Turn) -> Reply | None:
    """The option the customer picked among the variants offered (None: not one of them)."""
    words = [w.casefold() for w in tools.words(intents.without_phone(turn.message))]
    named = synonyms.groups_named(words)
    best: tuple[int, str] | None = None
    for sku in turn.memory.get("skus", []):
        result = tools.variant_price_stock(turn.ctx, sku=sku)
        if not result.ok:
            continue
        options = [w for value in result.data["options"] for w in tools.words(value)]
        by_synonym = synonyms.covered(options, named)
        hits = sum(1 for i, w in enumerate(options) if i in by_synonym or w.casefold() in words)
        if hits and (best is None or hits > best[0]):
            best = (hits, sku)
    if best is None:
        return None
    chosen = turn.call(tools.variant_price_stock, sku=best[1])
    quantity = turn.entities.quantity or int(turn.memory.get("quantity") or 1)
    return _start_purchase(turn, [{**chosen.data, "score": 100}], quantity)


def _products(turn: _Turn, *, intent: str) -> Reply:
    query = product_query(turn.message)
    if not query:
        if intent:
            return turn.reply(turn.t("not_found"), failed=True, intent=intent, confidence=0.6)
        return turn.reply(turn.t("off_topic"), failed=True, confidence=0.5, intent="off_topic")
    result = turn.call(tools.search_products, query=query)
    items = result.data["items"]
    if not items:
        # "do you sell shoes?": a product we do not have, not an off-topic message.
        kind = synonyms.groups_named(tools.words(query)) & synonyms.KIND_GROUPS
        failed_intent = intent or ("product" if kind else "off_topic")
        key = "off_topic" if failed_intent == "off_topic" else "not_found"
        return turn.reply(turn.t(key), failed=True, confidence=0.5, intent=failed_intent)
    confidence = items[0]["score"] / 100
    if intent == "buy":
        quantity = turn.entities.quantity or 1
        return _start_purchase(turn, items, quantity)
    # A next message naming an option ("the white one") picks among these.
    memory = {"step": "choose", "skus": [item["sku"] for item in items], "quantity": 1}
    body = render_one(result, turn.language)
    return turn.reply(body, confidence=confidence, intent="product", memory=memory)


# --- Other intents ----------------------------------------------------------------------------


def _complaint(turn: _Turn) -> Reply:
    """Damaged or wrong goods, a refund dispute, an angry customer: a person from the shop
    takes it from the first message (the assistant promises nothing)."""
    return turn.reply(
        turn.t("complaint"),
        hand_over=True,
        hand_over_reason=HandOverReason.REQUESTED,
        intent="complaint",
        memory={},
    )


def _order_status(turn: _Turn) -> Reply:
    number = turn.entities.order_number or str(turn.memory.get("order_number", ""))
    phone = turn.entities.phone or str(turn.memory.get("phone", ""))
    if not (number and phone):
        memory = {"step": "order", "order_number": number, "phone": phone}
        return turn.reply(turn.t("order_ask"), memory=memory, intent="order_status")
    result = turn.call(tools.order_status, order_number=number, phone=phone)
    return turn.reply(
        render_one(result, turn.language), memory={}, intent="order_status", failed=not result.ok
    )


def _call_back(turn: _Turn) -> Reply:
    phone = turn.entities.phone
    if not phone:
        return turn.reply(turn.t("call_back_ask"), memory={"step": "call_back"}, intent="call_back")
    name = turn.conversation.display_name or str(
        {"vi": "Khách chat", "th": "ลูกค้าแชท"}.get(turn.language, "Chat customer")
    )
    result = turn.call(tools.request_call_back, name=name, phone=phone, note=turn.message)
    if not result.ok:
        return turn.reply(turn.t("call_back_ask"), failed=True, intent="call_back")
    return turn.reply(render_one(result, turn.language), memory={}, intent="call_back")


def _shipping(turn: _Turn) -> Reply:
    folded = fold(turn.message)
    place = re.search(r"(?:\bdi\b|\bve\b|\bto\b|ไป|ส่ง)\s*(.+)$", folded)
    province = place.group(1).strip(" ?.!") if place else ""
    result = turn.call(tools.shipping_fee_estimate, province=province)
    return turn.reply(render_one(result, turn.language), intent="shipping")


_HANDLERS = {
    "call_back": _call_back,
    "discount": lambda turn: turn.reply(turn.t("no_discount"), intent="discount"),
    "shipping": _shipping,
    "buy": lambda turn: _products(turn, intent="buy"),
    "price_stock": lambda turn: _products(turn, intent="price_stock"),
    "greeting": lambda turn: _products_or(turn, "greeting"),
    "thanks": lambda turn: turn.reply(turn.t("welcome"), intent="thanks"),
}


def _products_or(turn: _Turn, key: str) -> Reply:
    """A greeting that also names a product answers about the product."""
    if product_query(turn.message):
        reply = _products(turn, intent="")
        if not reply.failed:
            return reply
        turn.results.clear()
    return turn.reply(turn.t(key), intent=key)
