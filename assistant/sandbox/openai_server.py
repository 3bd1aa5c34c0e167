"""A local OpenAI-compatible chat-completions server that answers from a SCRIPT, for tests,
the eval and the offline demo. It checks every request's shape as a strict server would and
records it.

A script is a list of turns, consumed in order; a turn is
    {"tool_calls": [{"name": ..., "arguments": {...}}, ...],   # optional, one round
     "then": [[...calls...], ...],                             # optional, more rounds
     "text": "the final answer"}                    # none: the turn ends with its tool calls
or a fault, answered instead of the next step: {"status": 429, "retry_after": 0.05},
{"status": 500}, {"delay": 3.0} (answers after the client gave up: a timeout).
A call to a tool the request does not offer is a script error, unless it has "unoffered": true
(a model inventing a tool). A string value "{{key}}" in arguments or text is replaced by the
latest value of `key` in the request's tool results and system messages (a token, an order
number, a price), as a model reading them would.

Control (JSON): POST /_control/script {"turns": [...]} (replaces the script), POST
/_control/reset, GET /_control/requests (every request with "valid" and "errors").

    python -m assistant.sandbox.openai_server --port 8790 --model m --key k
In tests: `with ScriptedOpenAI() as server: server.base_url` (".../v1", a free port).
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from common.sandbox import HttpSandbox
from common.sandbox_cli import sandbox_parser, serve_until_interrupted

ROLES = {"system", "user", "assistant", "tool", "developer"}
TOOL_CHOICES = {"auto", "none", "required"}


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any
    valid: bool
    errors: list[str] = field(default_factory=list)
    status: int = 200


def _check_tools(tools: Any, errors: list[str]) -> set[str]:
    names: set[str] = set()
    if tools is None:
        return names
    if not isinstance(tools, list):
        errors.append("tools: not a list")
        return names
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function":
            errors.append(f"tools[{i}].type: not function")
            continue
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            errors.append(f"tools[{i}].function.name: missing")
            continue
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", function["name"]):
            errors.append(f"tools[{i}].function.name: invalid")
        parameters = function.get("parameters", {"type": "object"})
        if not isinstance(parameters, dict) or parameters.get("type") != "object":
            errors.append(f"tools[{i}].function.parameters: not an object schema")
        names.add(function["name"])
    return names


def _check_assistant(
    i: int, message: dict[str, Any], issued: set[str], errors: list[str]
) -> set[str]:
    pending: set[str] = set()
    for call in message.get("tool_calls") or []:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or call.get("type") != "function":
            errors.append(f"messages[{i}].tool_calls: bad shape")
            continue
        if not isinstance(function.get("arguments"), str):
            errors.append(f"messages[{i}].tool_calls: arguments is not a JSON string")
        if call.get("id") not in issued:
            errors.append(f"messages[{i}].tool_calls: id {call.get('id')} was never issued")
        pending.add(str(call.get("id")))
    return pending


def check_request(body: Any, *, model: str, issued: set[str]) -> tuple[list[str], set[str]]:
    """The shape errors of a chat-completions request, and the tool names it offers."""
    errors: list[str] = []
    if not isinstance(body, dict):
        return ["body: not a JSON object"], set()
    if not isinstance(body.get("model"), str) or not body["model"]:
        errors.append("model: missing")
    elif model and body["model"] != model:
        errors.append(f"model: {body['model']} is not served")
    names = _check_tools(body.get("tools"), errors)
    choice = body.get("tool_choice", "auto")
    if not (choice in TOOL_CHOICES or isinstance(choice, dict)):
        errors.append("tool_choice: invalid")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return [*errors, "messages: missing"], names
    pending: set[str] = set()
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ROLES:
            errors.append(f"messages[{i}].role: {role!r}")
            continue
        if role != "tool" and pending:
            errors.append(f"messages[{i}]: tool calls {sorted(pending)} have no tool reply")
            pending = set()
        if role == "assistant":
            pending = _check_assistant(i, message, issued, errors)
            continue
        if not isinstance(message.get("content"), str):
            errors.append(f"messages[{i}].content: not a string")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in pending:
                errors.append(f"messages[{i}].tool_call_id: {call_id!r} answers no open call")
            pending.discard(str(call_id))
    if pending:
        errors.append(f"messages: tool calls {sorted(pending)} have no tool reply")
    return errors, names


def _lookup(body: dict[str, Any], key: str) -> str | None:
    pattern = re.compile(rf'"{re.escape(key)}"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?[\d.]+))')
    for message in reversed(body.get("messages", [])):
        if message.get("role") not in ("tool", "system"):
            continue
        found = pattern.search(str(message.get("content") or ""))
        if found:
            return (
                json.loads(f'"{found.group(1)}"') if found.group(1) is not None else found.group(2)
            )
    return None


def fill(value: Any, body: dict[str, Any]) -> Any:
    """`value` with every "{{key}}" replaced from the request's tool results."""
    if isinstance(value, str):
        return re.sub(r"\{\{(\w+)\}\}", lambda m: _lookup(body, m.group(1)) or m.group(0), value)
    if isinstance(value, dict):
        return {k: fill(v, body) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, body) for v in value]
    return value


def expand(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A script's turns as the steps answered one per request."""
    steps: list[dict[str, Any]] = []
    for turn in turns:
        if "status" in turn or "delay" in turn:
            steps.append({"fault": turn})
            continue
        rounds = [turn["tool_calls"]] if turn.get("tool_calls") else []
        rounds += list(turn.get("then") or [])
        steps += [{"tool_calls": calls} for calls in rounds]
        if "text" in turn or not rounds:
            steps.append({"text": str(turn.get("text", ""))})
    return steps


class ScriptedOpenAI(HttpSandbox):
    thread_name = "openai-sandbox"

    def __init__(self, *, model: str = "scripted-model", api_key: str = "sk-sandbox") -> None:
        self.model = model
        self.api_key = api_key
        self.lock = threading.Lock()
        self.steps: list[dict[str, Any]] = []
        self.requests: list[Recorded] = []
        self.issued: set[str] = set()

    # -- control -------------------------------------------------------------------------------
    def load(self, turns: list[dict[str, Any]]) -> None:
        with self.lock:
            self.steps = expand(turns)

    def reset(self) -> None:
        with self.lock:
            self.steps, self.requests, self.issued = [], [], set()

    @property
    def remaining(self) -> int:
        return len(self.steps)

    def invalid(self) -> list[Recorded]:
        return [r for r in self.requests if not r.valid]

    # -- server --------------------------------------------------------------------------------
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _handler(self)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- protocol ------------------------------------------------------------------------------
    def complete(self, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any], float]:
        """(status, JSON body, seconds to wait before answering) for one request."""
        record = Recorded("/v1/chat/completions", headers, body, True)
        with self.lock:
            self.requests.append(record)
            if headers.get("authorization") != f"Bearer {self.api_key}":
                return self._refuse(record, 401, "invalid_api_key", "Incorrect API key provided")
            errors, names = check_request(body, model=self.model, issued=self.issued)
            if errors:
                record.errors = errors
                return self._refuse(record, 400, "invalid_request_error", "; ".join(errors))
            if not self.steps:
                return self._refuse(record, 500, "script_exhausted", "no scripted turn left")
            step = self.steps.pop(0)
            if "fault" in step:
                fault = step["fault"]
                record.status = int(fault.get("status", 200))
                if "status" in fault:
                    error = {"error": {"message": "scripted fault", "type": "server_error"}}
                    return record.status, {**error, "_retry_after": fault.get("retry_after")}, 0.0
                return (
                    200,
                    self._choice(body, {"role": "assistant", "content": "late"}, "stop"),
                    float(fault["delay"]),
                )
            return 200, self._answer(step, body, names), 0.0

    def _refuse(
        self, record: Recorded, status: int, code: str, message: str
    ) -> tuple[int, dict[str, Any], float]:
        record.valid, record.status = False, status
        return status, {"error": {"message": message, "type": code, "code": code}}, 0.0

    def _answer(
        self, step: dict[str, Any], body: dict[str, Any], names: set[str]
    ) -> dict[str, Any]:
        if "text" in step:
            message = {"role": "assistant", "content": fill(step["text"], body)}
            return self._choice(body, message, "stop")
        calls = []
        for call in step["tool_calls"]:
            if call["name"] not in names and not call.get("unoffered"):
                raise KeyError(f"scripted tool {call['name']} is not offered by the request")
            call_id = "call_" + secrets.token_hex(6)
            self.issued.add(call_id)
            arguments = json.dumps(fill(call.get("arguments", {}), body), ensure_ascii=False)
            calls.append(
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": call["name"], "arguments": arguments},
                }
            )
        message = {"role": "assistant", "content": None, "tool_calls": calls}
        return self._choice(body, message, "tool_calls")

    def _choice(self, body: Any, message: dict[str, Any], finish: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-" + secrets.token_hex(8),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }


def _handler(server: ScriptedOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def setup(self) -> None:
            super().setup()
            # Headers and body are two writes: without this, Nagle + delayed ACK add ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _send(self, status: int, body: Any, retry_after: Any = None) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", str(retry_after))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout): nothing to send

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                return json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                return None

        def do_GET(self) -> None:
            if self.path == "/_control/requests":
                rows = [r.__dict__ for r in server.requests]
                self._send(200, {"requests": rows, "remaining": server.remaining})
            else:
                self._send(404, {"error": {"message": "not found", "type": "not_found"}})

        def do_POST(self) -> None:
            body = self._body()
            if self.path == "/_control/script":
                server.load(list((body or {}).get("turns") or []))
                self._send(200, {"steps": server.remaining})
            elif self.path == "/_control/reset":
                server.reset()
                self._send(200, {"ok": True})
            elif self.path == "/v1/chat/completions":
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    status, answer, delay = server.complete(headers, body)
                except KeyError as error:
                    status, answer, delay = (
                        500,
                        {"error": {"message": str(error), "type": "script"}},
                        0.0,
                    )
                time.sleep(delay)
                self._send(status, answer, answer.pop("_retry_after", None))
            else:
                self._send(404, {"error": {"message": "not found", "type": "not_found"}})

    return Handler


def main() -> None:
    parser = sandbox_parser(__doc__.splitlines()[0], port=8790)
    parser.add_argument("--model", default="scripted-model")
    parser.add_argument("--key", default="sk-sandbox")
    args = parser.parse_args()
    server = ScriptedOpenAI(model=args.model, api_key=args.key).start(args.host, args.port)
    print(f"scripted OpenAI-compatible server on {server.base_url}")
    serve_until_interrupted(server)


if __name__ == "__main__":
    main()
