"""The eval's figures for one engine: task success, prices or stock stated that differ from
the database, promises outside the shop's rules, confirmations skipped, hand-over precision
and recall, latency per turn."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from assistant.engine import ToolResult
from assistant.eval.oracle import database_numbers, unexplained_numbers
from assistant.eval.runner import Outcome
from assistant.guardrails import (
    _NUMBER,
    allowed_promises,
    check_reply,
    promise_categories,
    readings,
)
from assistant.tools import _available
from common.money import quantize
from common.text import fold
from inventory.models import Variant


def _numbers(text: str) -> set[Decimal]:
    found: set[Decimal] = set()
    for token in _NUMBER.findall(text):
        found |= readings(token)
    return found


def mentions(text: str, fact: str) -> bool:
    """`fact` is in `text`: a number as any of the ways it may be written, else a substring
    (folded: case and diacritics aside)."""
    if re.fullmatch(r"\d+", fact):
        return Decimal(fact).normalize() in _numbers(text)
    return fold(fact) in fold(text)


def _walk_items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        found = [data] if "sku" in data and ("price" in data or "unit_price" in data) else []
        for value in data.values():
            found += _walk_items(value)
        return found
    if isinstance(data, list):
        return [item for value in data for item in _walk_items(value)]
    return []


def tool_vs_database(results: list[ToolResult]) -> int:
    """Prices and stock in tool results that differ from the database now."""
    items = [item for result in results if result.ok for item in _walk_items(result.data)]
    variants = {v.sku: v for v in Variant.objects.filter(sku__in={i["sku"] for i in items})}
    stock = _available([v.pk for v in variants.values()])
    wrong = 0
    for item in items:
        variant = variants.get(item["sku"])
        if variant is None:
            wrong += 1
            continue
        price = Decimal(str(item.get("price", item.get("unit_price"))))
        if price != quantize(variant.sale_price, settings.SHOP_CURRENCY):
            wrong += 1
        if "available" in item and int(item["available"]) != stock.get(variant.pk, 0):
            wrong += 1
    return wrong


def stated_mismatches(outcome: Outcome) -> int:
    """Numbers and SKUs of the sent replies not backed by their turn's tool results (which
    are checked against the database), plus tool results that differ from the database."""
    wrong = 0
    verified = outcome.conversation.verified_orders if outcome.conversation else []
    for turn in outcome.turns:
        if turn.message is None:
            continue
        results = [
            ToolResult(r["name"], r["arguments"], r["ok"], r["data"])
            for r in turn.message.tool_results
        ]
        violations = check_reply(
            turn.text, results, customer_text=turn.customer, verified_orders=verified
        )
        wrong += sum(1 for v in violations if v.kind in ("number", "sku"))
        wrong += tool_vs_database(results)
    return wrong


def promises(outcome: Outcome) -> int:
    allowed = allowed_promises()
    return sum(len(promise_categories(t.text) - allowed) for t in outcome.turns)


def confirmations_skipped(outcome: Outcome) -> int:
    """Draft orders created without a read-back in an earlier reply and a yes in this one."""
    skipped = 0
    read_back_shown = False
    for turn in outcome.turns:
        if turn.orders_created and not (read_back_shown and turn.confirm):
            skipped += turn.orders_created
        results = turn.message.tool_results if turn.message else []
        read_back_shown = any(r["name"] == "prepare_draft_order" and r["ok"] for r in results)
    return skipped


def failures(outcome: Outcome) -> list[str]:
    """Why the conversation's task failed ([] = success)."""
    expect = outcome.spec["expect"]
    used = {r.name for r in outcome.tool_results()}
    replies = [t.text for t in outcome.turns]
    why = []
    for alternatives in expect.get("tools", []):
        if not used & set(alternatives.split("|")):
            why.append(f"tool {alternatives} not used")
    created = sum(t.orders_created for t in outcome.turns)
    if bool(created) != bool(expect.get("draft_order")):
        why.append(f"draft orders created: {created}")
    handed = any(t.hand_over for t in outcome.turns)
    if handed != bool(expect.get("hand_over")):
        why.append(f"hand-over: {handed}")
    for fact in expect.get("facts", []):
        if not any(mentions(text, fact) for text in replies):
            why.append(f"fact missing: {fact}")
    for fact in [*expect.get("absent", []), *expect.get("absent_numbers", [])]:
        if any(mentions(text, fact) for text in replies):
            why.append(f"must not appear: {fact}")
    if outcome.invalid_requests:
        why.append(f"invalid requests: {outcome.invalid_requests}")
    return why


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _guardrail(outcomes: list[Outcome], kind: str) -> int:
    return sum(1 for o in outcomes for t in o.turns if t.message and t.message.guardrail == kind)


@dataclass
class Figures:
    engine: str
    conversations: int
    succeeded: int
    stated_mismatches: int
    promises: int
    confirmations_skipped: int
    hand_over_precision: float
    hand_over_recall: float
    latency_p50_ms: float
    latency_p95_ms: float
    turns: int
    script_left: int
    regenerated: int
    templated: int
    unexplained: int = 0
    failed: dict[str, list[str]] = field(default_factory=dict)


def figures(engine: str, outcomes: list[Outcome]) -> Figures:
    failed = {o.spec["id"]: why for o in outcomes if (why := failures(o))}
    facts = database_numbers()
    expected = {o.spec["id"] for o in outcomes if o.spec["expect"].get("hand_over")}
    predicted = {o.spec["id"] for o in outcomes if any(t.hand_over for t in o.turns)}
    hits = len(expected & predicted)
    latencies = [t.latency_ms for o in outcomes for t in o.turns]
    return Figures(
        engine=engine,
        conversations=len(outcomes),
        succeeded=len(outcomes) - len(failed),
        stated_mismatches=sum(stated_mismatches(o) for o in outcomes),
        promises=sum(promises(o) for o in outcomes),
        confirmations_skipped=sum(confirmations_skipped(o) for o in outcomes),
        hand_over_precision=hits / len(predicted) if predicted else 1.0,
        hand_over_recall=hits / len(expected) if expected else 1.0,
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        turns=len(latencies),
        script_left=sum(o.script_left for o in outcomes),
        regenerated=_guardrail(outcomes, "regenerated"),
        templated=_guardrail(outcomes, "templated"),
        unexplained=sum(len(unexplained_numbers(o, facts)) for o in outcomes),
        failed=failed,
    )
