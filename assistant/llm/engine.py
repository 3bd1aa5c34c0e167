"""LLMEngine: one customer turn answered by an OpenAI-compatible model with our tools.

The system prompt holds only the shop's rules and our own state (the language to answer in,
the pending read-back's token and numbers); the customer's words, now and before, go only in
user messages, as JSON data between <customer> tags (assistant.guardrails). The model may call
tools for up to ASSISTANT_LLM_MAX_TOOL_ROUNDS rounds; each call's arguments are checked against
the tool's schema (assistant.toolbox.run_tool) and its result is sent back as a role "tool"
message with the call's id. An endpoint that fails (timeout, 5xx after retries, refused key)
gives the templated answer of the tool results so far, or EngineError when there are none
(assistant.services hands the conversation over as unavailable).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import translation

from assistant.engine import EngineError, Reply, ToolResult
from assistant.guardrails import SYSTEM_RULES, customer_text_as_data
from assistant.llm.client import ChatClient, Completion, LLMConfig
from assistant.models import Author, Conversation, Direction, HandOverReason, Message
from assistant.offline.language import detect_language
from assistant.offline.render import hand_over_text, render_results
from assistant.toolbox import TOOLS, run_tool
from assistant.tools import ToolContext
from common.external import ExternalError
from common.http import redacted

HAND_OVER_TOOL = "hand_over_to_staff"
LANGUAGE_NAMES = {"vi": "Vietnamese", "th": "Thai", "en": "English"}


def _hand_over_schema() -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": HAND_OVER_TOOL,
            "description": "Pass the conversation to a person of the shop's staff: when the "
            "customer asks for one, complains, or you cannot help with the tools.",
            "parameters": {
                "type": "object",
                "properties": {"reason": {"type": "string"}},
                "required": [],
                "additionalProperties": False,
            },
        },
    }


def tool_schemas() -> list[dict[str, Any]]:
    return [tool.schema() for tool in TOOLS.values()] + [_hand_over_schema()]


def config_from_settings() -> LLMConfig:
    return LLMConfig(
        base_url=str(settings.ASSISTANT_LLM_BASE_URL),
        model=str(settings.ASSISTANT_LLM_MODEL),
        api_key=str(settings.ASSISTANT_LLM_API_KEY),
        timeout=float(settings.ASSISTANT_LLM_TIMEOUT),
        max_retries=int(settings.ASSISTANT_LLM_MAX_RETRIES),
        backoff=float(settings.ASSISTANT_LLM_BACKOFF),
        turn_budget=float(settings.ASSISTANT_LLM_TURN_BUDGET),
    )


def system_prompt(language: str) -> str:
    """The shop's rules (no customer text: that is only ever in user messages)."""
    currency = settings.SHOP_CURRENCY
    return (
        f"{SYSTEM_RULES} Prices are in {currency}. Answer in "
        f"{LANGUAGE_NAMES.get(language, 'Vietnamese')}, briefly. If the customer asks for a "
        f"person, complains, or you cannot help with the tools, call {HAND_OVER_TOOL}."
    )


def pending_read_back(conversation: Conversation) -> str:
    """Our state (not the customer's words): the read-back waiting for a yes, with its token,
    SKUs, quantities and total, for create_draft_order."""
    draft = conversation.draft or {}
    read_back = draft.get("read_back")
    if not draft.get("token") or not isinstance(read_back, dict):
        return ""
    state = {
        "token": draft["token"],
        "lines": [
            {"sku": line["sku"], "quantity": line["quantity"], "unit_price": line["unit_price"]}
            for line in read_back.get("lines", [])
        ],
        "total": read_back.get("total"),
        "currency": read_back.get("currency"),
    }
    return (
        "A read-back was shown to the customer and waits for their answer. If they now say "
        "yes, call create_draft_order with this token; if no, do not. Pending read-back "
        f"(JSON): {json.dumps(state, ensure_ascii=False)}"
    )


def history(conversation: Conversation, *, before: int, limit: int) -> list[dict[str, Any]]:
    """The last `limit` messages before message id `before`: the customer's as JSON data in
    user messages, the assistant's and staff's as assistant messages."""
    rows = list(
        Message.objects.filter(conversation=conversation, pk__lt=before)
        .order_by("-pk")
        .values_list("direction", "author", "text")[:limit]
    )
    messages = []
    for direction, author, text in reversed(rows):
        if direction == Direction.IN and author == Author.CUSTOMER:
            messages.append({"role": "user", "content": customer_text_as_data(text)})
        elif text:
            messages.append({"role": "assistant", "content": text})
    return messages


class LLMEngine:
    name = "llm"

    def __init__(self, config: LLMConfig | None = None, *, max_rounds: int | None = None) -> None:
        self.config = config or config_from_settings()
        self.client = ChatClient(self.config)
        rounds = settings.ASSISTANT_LLM_MAX_TOOL_ROUNDS if max_rounds is None else max_rounds
        self.max_rounds = int(rounds)

    def reply(
        self, *, conversation: Conversation, text: str, now: datetime, correction: str = ""
    ) -> Reply:
        language = detect_language(text, default=conversation.language or settings.LANGUAGE_CODE)
        inbound = (
            Message.objects.filter(conversation=conversation, direction=Direction.IN)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        ctx = ToolContext(conversation.pk, int(inbound or 0), now)
        messages = self._messages(conversation, text, language, int(inbound or 0), correction)
        turn = _Turn(self, ctx, language, messages)
        try:
            return turn.run()
        except ExternalError as error:
            return turn.unavailable(error)

    def _messages(
        self,
        conversation: Conversation,
        text: str,
        language: str,
        inbound: int,
        correction: str,
    ) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt(language)}]
        pending = pending_read_back(conversation)
        if pending:
            messages.append({"role": "system", "content": pending})
        if correction:
            messages.append(
                {
                    "role": "system",
                    "content": "Your previous answer to this message was refused. "
                    f"{correction}. Call the tools again and state only what they return.",
                }
            )
        limit = int(settings.ASSISTANT_LLM_HISTORY)
        messages += history(conversation, before=inbound or 2**62, limit=limit)
        messages.append({"role": "user", "content": customer_text_as_data(text)})
        return messages


class _Turn:
    """The tool rounds of one reply."""

    def __init__(
        self, engine: LLMEngine, ctx: ToolContext, language: str, messages: list[dict[str, Any]]
    ) -> None:
        self.engine = engine
        self.ctx = ctx
        self.language = language
        self.messages = messages
        self.results: list[ToolResult] = []
        self.hand_over = False
        self.requests = 0
        self.attempts = 0
        self.deadline = time.monotonic() + engine.config.turn_budget

    def _complete(self, tool_choice: str) -> Completion:
        self.requests += 1
        completion = self.engine.client.complete(
            self.messages, tools=tool_schemas(), tool_choice=tool_choice, deadline=self.deadline
        )
        self.attempts += completion.attempts
        return completion

    def run(self) -> Reply:
        for _round in range(self.engine.max_rounds):
            completion = self._complete("auto")
            if not completion.tool_calls:
                return self._final(completion.content)
            self._call_tools(completion)
            if self.hand_over:
                return self._final(completion.content)
        return self._final(self._complete("none").content)

    def _call_tools(self, completion: Completion) -> None:
        message = {
            "role": "assistant",
            "content": completion.content or None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in completion.tool_calls
            ],
        }
        self.messages.append(message)
        for call in completion.tool_calls:
            content = self._run(call.name, call.arguments)
            self.messages.append(
                {
                    "role": "tool",
                    "tool_call_id": call.id,
                    "content": json.dumps(content, ensure_ascii=False),
                }
            )

    def _run(self, name: str, arguments: str) -> dict[str, Any]:
        if name == HAND_OVER_TOOL:
            self.hand_over = True
            return {"ok": True}
        try:
            parsed = json.loads(arguments or "{}")
        except ValueError:
            parsed = None
        with translation.override(self.language):
            result = run_tool(self.ctx, name, parsed)
        self.results.append(result)
        return {"ok": result.ok, **result.data}

    def _reply(self, text: str, **fields: Any) -> Reply:
        return Reply(
            text=text,
            tool_results=tuple(self.results),
            language=self.language,
            engine=LLMEngine.name,
            intent=",".join(dict.fromkeys(r.name for r in self.results)) or "chat",
            extra={"llm_requests": self.requests, "llm_attempts": self.attempts},
            **fields,
        )

    def _final(self, content: str) -> Reply:
        text = content.strip()
        if self.hand_over:
            body = f"{text}\n{hand_over_text(self.language)}".strip() if text else ""
            return self._reply(
                body or hand_over_text(self.language),
                hand_over=True,
                hand_over_reason=HandOverReason.LOW_CONFIDENCE,
            )
        if not text:
            return self._unhelpful()
        failed = bool(self.results) and not any(r.ok for r in self.results)
        return self._reply(text, failed=failed)

    def _unhelpful(self) -> Reply:
        templated = render_results(self.results, self.language)
        if templated:
            return self._reply(templated, failed=True)
        return self._reply(
            hand_over_text(self.language),
            hand_over=True,
            hand_over_reason=HandOverReason.LOW_CONFIDENCE,
            confidence=0.0,
            failed=True,
        )

    def unavailable(self, error: ExternalError) -> Reply:
        """The endpoint failed: the templated answer of the tools already called; with none,
        EngineError (the conversation goes to staff as unavailable: nothing is made up)."""
        templated = render_results(self.results, self.language)
        if not templated:
            raise EngineError(f"{error.code}: {redacted(error.message)}"[:500]) from error
        reply = self._reply(templated, failed=True)
        return replace(reply, extra={**reply.extra, "llm_error": error.code})
