"""Runs the scripted conversations (conversations/*.json) through one engine against the
seeded catalogue, turn by turn through assistant.services.conversation_receive (the path every
channel takes: hand-over detection, the engine, the guardrails), and keeps what each turn did.

A conversation file entry: {"id", "category", "turns": [{"customer": text, "confirm": true
when this message is the yes to a read-back, "llm": the scripted model's turn (or a list: the
answer, then its regeneration)}], "expect": {"tools": ["a|b", ...] (each used at least once),
"draft_order": bool, "hand_over": bool, "facts": [...] (each in some reply), "absent": [...],
"absent_numbers": [...]}}. "{order:mine}", "{total:other}"... name the seeded orders.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.engine import Engine, ToolResult, money_text
from assistant.eval.catalogue import Seeded
from assistant.models import Conversation, Direction, Message
from assistant.sandbox.openai_server import ScriptedOpenAI
from assistant.services import conversation_receive
from common.money import quantize
from orders.models import Order

CONVERSATIONS = Path(__file__).parent / "conversations"


def load_conversations(seeded: Seeded) -> list[dict[str, Any]]:
    """Every conversation of conversations/*.json, with the seeded orders' numbers and totals
    in place of "{order:mine}", "{total:mine}", "{order:other}", "{total:other}"."""
    values = {}
    for key, order in seeded.orders.items():
        values[f"{{order:{key}}}"] = order.number
        values[f"{{total:{key}}}"] = money_text(quantize(order.total, order.currency))
    found: list[dict[str, Any]] = []
    for path in sorted(CONVERSATIONS.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        for spec in json.loads(text):
            found.append({**spec, "language": path.stem})
    return found


def llm_script(spec: dict[str, Any]) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    for turn in spec["turns"]:
        scripted = turn.get("llm")
        if isinstance(scripted, list):
            turns.extend(scripted)
        elif scripted is not None:
            turns.append(scripted)
    return turns


@dataclass
class Turn:
    customer: str
    confirm: bool
    text: str
    silent: bool
    hand_over: bool
    latency_ms: float
    orders_created: int
    message: Message | None


@dataclass
class Outcome:
    spec: dict[str, Any]
    turns: list[Turn] = field(default_factory=list)
    conversation: Conversation | None = None
    script_left: int = 0
    invalid_requests: int = 0

    def tool_results(self) -> list[ToolResult]:
        return [
            ToolResult(r["name"], r["arguments"], r["ok"], r["data"])
            for turn in self.turns
            if turn.message is not None
            for r in turn.message.tool_results
        ]


def run_conversation(
    spec: dict[str, Any],
    *,
    engine_name: str,
    engine: Engine,
    now: datetime,
    server: ScriptedOpenAI | None = None,
) -> Outcome:
    outcome = Outcome(spec)
    if server is not None:
        server.reset()
        server.load(llm_script(spec))
    user = f"eval-{engine_name}-{spec['id']}"
    for index, turn in enumerate(spec["turns"]):
        before = Order.objects.count()
        started = time.perf_counter()
        out = conversation_receive(
            channel="web",
            external_user_id=user,
            text=turn["customer"],
            raw={},
            now=now + timedelta(minutes=index),
            engine=engine,
        )
        latency = (time.perf_counter() - started) * 1000
        outcome.turns.append(
            Turn(
                customer=turn["customer"],
                confirm=bool(turn.get("confirm")),
                text=out.text if out else "",
                silent=out is None,
                hand_over=bool(out and out.hand_over),
                latency_ms=latency,
                orders_created=Order.objects.count() - before,
                message=Message.objects.get(pk=out.message_id) if out else None,
            )
        )
    outcome.conversation = Conversation.objects.filter(channel="web", external_user_id=user).first()
    if server is not None:
        outcome.script_left = server.remaining
        outcome.invalid_requests = len(server.invalid())
    return outcome


def run_engine(
    specs: list[dict[str, Any]],
    *,
    engine_name: str,
    make_engine: Callable[[], Engine],
    now: datetime,
    server: ScriptedOpenAI | None = None,
) -> list[Outcome]:
    engine = make_engine()
    return [
        run_conversation(spec, engine_name=engine_name, engine=engine, now=now, server=server)
        for spec in specs
    ]


def bot_messages(outcome: Outcome) -> list[Message]:
    if outcome.conversation is None:
        return []
    return list(
        Message.objects.filter(conversation=outcome.conversation, direction=Direction.OUT).order_by(
            "pk"
        )
    )
