"""The interface every engine of the assistant implements (the built-in offline responder, an
OpenAI-compatible chat-completions client), and what one turn of it returns.

An engine reads the conversation (its language, draft, history) and the customer's text, calls
tools (assistant.tools) for every fact it states, and returns a Reply with the results of the
tools it used this turn: the guardrails check every number, price and SKU of `text` against
those results before anything is sent (assistant.guardrails).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from assistant.models import Conversation


@dataclass(frozen=True)
class ToolResult:
    """One tool call of a turn: its name, the arguments it was given and what it returned
    (JSON-safe: Decimal money as strings). `ok` False: the tool refused (`data["error"]`)."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "arguments": self.arguments, "ok": self.ok, "data": self.data}


@dataclass(frozen=True)
class Reply:
    """What an engine answers for one customer message.

    `confidence` 0..1: how sure the engine is it understood (below
    settings.ASSISTANT_MIN_CONFIDENCE the conversation goes to staff). `failed`: this turn did
    not help the customer (two in a row hand over). `hand_over`/`hand_over_reason`
    (assistant.models.HandOverReason): the engine asks for a person now. `memory`: what the
    engine keeps for its next turn (a purchase being collected: items, name, phone,
    address...), kept as conversation.draft["memory"] (None: unchanged; {}: forget it and any
    read-back; the read-back and its token are written by the prepare_draft_order tool only)."""

    text: str
    tool_results: tuple[ToolResult, ...] = ()
    confidence: float = 1.0
    hand_over: bool = False
    hand_over_reason: str = ""
    failed: bool = False
    language: str = ""
    intent: str = ""
    memory: dict[str, Any] | None = None
    engine: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class EngineError(Exception):
    """The engine could not answer (the model's server is down, timed out, answered nonsense):
    the conversation goes to staff (HandOverReason.UNAVAILABLE); nothing is made up."""


class Engine(Protocol):
    """`name` is stored on each message. `correction`: empty on the first attempt; on the one
    regeneration the guardrails allow, the reason the first answer was refused (an LLM engine
    adds it to its prompt)."""

    name: str

    def reply(
        self, *, conversation: Conversation, text: str, now: datetime, correction: str = ""
    ) -> Reply: ...


def configured_engine() -> Engine:
    """settings.ASSISTANT_ENGINE: a dotted path of an Engine class; the offline responder when
    none is set (no model configured)."""
    path = str(getattr(settings, "ASSISTANT_ENGINE", "") or "")
    if not path:
        from assistant.offline.responder import OfflineEngine

        return OfflineEngine()
    engine: Engine = import_string(path)()
    return engine


def money_text(amount: Decimal) -> str:
    """Money in tool results: a plain decimal string ("150000", "99.50")."""
    return format(amount, "f")
