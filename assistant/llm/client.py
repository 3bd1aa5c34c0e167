"""A client for POST {base}/chat/completions with tool calling, the fields every
OpenAI-compatible server accepts (no provider-specific ones): model, messages, tools,
tool_choice. Errors are common.external's family:

    429                    RateLimited (retried after Retry-After, capped, with back-off)
    5xx, connection reset  TransientError (retried with back-off)
    read timeout           TransientError "timeout" (not retried: the customer is waiting)
    401, 403               AuthError
    other 4xx, 3xx         PermanentError (never retried)
    a body that is not a chat completion  PayloadError
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from common.external import (
    AuthError,
    ExternalError,
    PayloadError,
    PermanentError,
    RateLimited,
    TransientError,
)
from common.http import client as http_client

MAX_RETRY_WAIT = 5.0  # seconds: a Retry-After longer than this is not waited for


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # as sent: a JSON string


@dataclass(frozen=True)
class Completion:
    """The first choice of a chat completion."""

    content: str
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    message: dict[str, Any]  # the assistant message as received, to send back in the next round
    attempts: int = 1
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str = ""
    timeout: float = 20.0
    max_retries: int = 2
    backoff: float = 0.5
    turn_budget: float = 45.0  # seconds for all requests of one customer turn


def _error_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", ""))[:200]
    return str(error or "")[:200]


def _retry_after(response: requests.Response) -> float:
    try:
        return max(float(response.headers.get("Retry-After", "1")), 0.0)
    except ValueError:
        return 1.0


def _raise_for(response: requests.Response) -> None:
    status = response.status_code
    if status < 300:
        return
    message = _error_message(response)
    code = f"http_{status}"
    if status == 429:
        raise RateLimited(code, message, retry_after=_retry_after(response))
    if status >= 500:
        raise TransientError(code, message)
    if status in (401, 403):
        raise AuthError(code, message)
    raise PermanentError(code, message)


def _tool_calls(message: dict[str, Any]) -> tuple[ToolCall, ...]:
    calls = []
    for index, raw in enumerate(message.get("tool_calls") or []):
        function = raw.get("function") if isinstance(raw, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise PayloadError("bad_tool_call", "a tool call without a function name")
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # some local servers send an object
            arguments = json.dumps(arguments, ensure_ascii=False)
        call_id = str(raw.get("id") or f"call_{index}")  # some local servers send none
        calls.append(ToolCall(call_id, function["name"], str(arguments or "{}")))
    return tuple(calls)


def parse_completion(body: Any) -> Completion:
    """The first choice of a chat-completion body; PayloadError when it is not one."""
    choices = body.get("choices") if isinstance(body, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise PayloadError("no_choices", "the response has no choices", field="choices")
    message = choices[0].get("message")
    if not isinstance(message, dict):
        raise PayloadError("no_message", "the choice has no message", field="message")
    calls = _tool_calls(message)
    content = message.get("content")
    return Completion(
        content=content if isinstance(content, str) else "",
        tool_calls=calls,
        finish_reason=str(choices[0].get("finish_reason") or ""),
        message=message,
        raw=body,
    )


class ChatClient:
    """One endpoint and model; reuse it (it keeps its connections open)."""

    def __init__(self, config: LLMConfig, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.url = config.base_url.rstrip("/") + "/chat/completions"
        self.session = http_client(timeout=(min(5.0, config.timeout), config.timeout))
        if config.api_key:
            self.session.headers["Authorization"] = f"Bearer {config.api_key}"
        self.sleep = sleep

    def complete(
        self,
        messages: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str = "auto",
        deadline: float | None = None,
    ) -> Completion:
        """The first choice; retried on 429 and 5xx. `deadline` (time.monotonic()): no request
        starts after it and none waits past it (TransientError "turn_budget")."""
        body: dict[str, Any] = {"model": self.config.model, "messages": messages}
        if tools:
            body["tools"] = tools
            body["tool_choice"] = tool_choice
        attempt = 0
        while True:
            attempt += 1
            try:
                completion = self._post(body, self._timeout(deadline))
            except (RateLimited, TransientError) as error:
                wait = self._wait(error, attempt)
                late = deadline is not None and time.monotonic() + wait >= deadline
                if late or not self._may_retry(error, attempt):
                    raise
                self.sleep(wait)
                continue
            return replace(completion, attempts=attempt)

    def _timeout(self, deadline: float | None) -> tuple[float, float]:
        read = self.config.timeout
        if deadline is not None:
            read = min(read, deadline - time.monotonic())
            if read <= 0:
                raise TransientError("turn_budget", "the turn's time is spent")
        return (min(5.0, read), read)

    def _may_retry(self, error: ExternalError, attempt: int) -> bool:
        if attempt > self.config.max_retries or error.code == "timeout":
            return False
        return not (isinstance(error, RateLimited) and error.retry_after > MAX_RETRY_WAIT)

    def _wait(self, error: ExternalError, attempt: int) -> float:
        backoff = self.config.backoff * (2 ** (attempt - 1))
        if isinstance(error, RateLimited):
            return max(error.retry_after, backoff)
        return backoff

    def _post(self, body: dict[str, Any], timeout: tuple[float, float]) -> Completion:
        try:
            response = self.session.post(self.url, json=body, timeout=timeout)
        except requests.Timeout as error:
            raise TransientError("timeout", type(error).__name__) from None
        except requests.RequestException as error:
            raise TransientError("network", type(error).__name__) from None
        _raise_for(response)
        try:
            data = response.json()
        except ValueError:
            raise PayloadError("not_json", response.text[:200]) from None
        return parse_completion(data)
