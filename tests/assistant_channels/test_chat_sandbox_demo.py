"""The chat sandbox's demo side without the CRM: its command line started as make run starts
it (a script, a message every N seconds), a webhook registered through its control API, the
scripted customers' messages arriving signed as the platform signs them, round after round
with new customer ids; the script waits while a platform has no webhook."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from assistant.channels import signing
from assistant.sandbox.chat import ChatSandbox
from assistant.sandbox.chat_demo import Hook, ScriptRunner

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = [
    {"platform": "zalo", "user": "z-1", "text": "Chảo chống dính giá bao nhiêu?"},
    {"platform": "line", "user": "U-1", "text": "สวัสดีค่ะ"},
    {"platform": "zalo", "user": "z-1", "text": "Cảm ơn shop"},
]


@pytest.fixture
def receiver():
    """A webhook endpoint that records each POST's body and headers and answers 200."""
    received: list[tuple[bytes, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            return

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append((body, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_the_script_waits_for_a_webhook_then_plays_round_after_round(receiver):
    url, received = receiver
    sandbox = ChatSandbox().start()
    try:
        runner = ScriptRunner(sandbox, SCRIPT)
        assert (runner.step(), runner.step(), runner.index) == (None, None, 0)
        sandbox.hooks["zalo"] = Hook("zalo", url, "oa-1", "oa-secret", "tok", app_id="app-1")
        sandbox.hooks["line"] = Hook("line", url, "Ubot", "line-secret", "tok2")
        played = [runner.step() for _ in range(4)]
        assert [(p.platform, p.user_id, p.status) for p in played if p] == [
            ("zalo", "z-1", 200),
            ("line", "U-1", 200),
            ("zalo", "z-1", 200),
            ("zalo", "z-1-1", 200),  # the second round: a new customer
        ]
        assert sandbox.users == {"z-1", "U-1", "z-1-1"}
        line_body, line_headers = received[1]
        event = json.loads(line_body)["events"][0]
        assert signing.line_verify(
            channel_secret="line-secret", body=line_body, header=line_headers["x-line-signature"]
        )
        assert len(event["webhookEventId"]) == 26
        assert sandbox._reply_tokens == {event["replyToken"]: "U-1"}
    finally:
        sandbox.stop()


def test_the_command_line_posts_the_script_signed_every_few_seconds(receiver, tmp_path):
    url, received = receiver
    script = tmp_path / "script.json"
    script.write_text(json.dumps(SCRIPT, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "assistant.sandbox.chat", "--port", "0"),
            *("--script", str(script), "--message-every", "0.2"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert banner.endswith("; 3 scripted customer messages, one every 0.2 s.\n")
        sandbox_url = banner.split(" on ")[1].split(";")[0]
        answer = requests.post(
            f"{sandbox_url}/_sandbox/webhook",
            json={
                "platform": "zalo",
                "url": url,
                "account_id": "oa-1",
                "app_id": "app-1",
                "secret": "oa-secret",
                "access_token": "oa-token",
            },
            timeout=10,
        )
        assert answer.json() == {"ok": True}
        deadline = time.monotonic() + 20
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        # Only zalo has a webhook: the script plays its first message, then waits at LINE's.
        time.sleep(0.6)
        assert len(received) == 1
        body, headers = received[0]
        assert json.loads(body)["message"]["text"] == "Chảo chống dính giá bao nhiêu?"
        assert signing.zalo_verify(
            app_id="app-1", oa_secret="oa-secret", body=body, header=headers["x-zevent-signature"]
        )
        state = requests.get(f"{sandbox_url}/_sandbox/state", timeout=10).json()
        assert state["webhooks"] == {"zalo": url}
        assert [(p["user_id"], p["status"]) for p in state["posted"]] == [("z-1", 200)]
        # The send API now accepts the registered account's token, and knows the customer.
        sent = requests.post(
            f"{sandbox_url}/v3.0/oa/message/cs",
            headers={"access_token": "oa-token"},
            json={"recipient": {"user_id": "z-1"}, "message": {"text": "Dạ 329.000đ ạ"}},
            timeout=10,
        )
        assert sent.json()["error"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_an_unknown_platform_or_plain_url_is_refused(receiver):
    sandbox = ChatSandbox().start()
    try:
        for data, error in (
            ({"platform": "viber", "url": receiver[0], "secret": "s"}, "unknown platform 'viber'"),
            (
                {"platform": "line", "url": "ftp://x", "secret": "s"},
                "a webhook needs an http(s) URL and the account's secret",
            ),
        ):
            answer = requests.post(f"{sandbox.url}/_sandbox/webhook", json=data, timeout=10)
            assert (answer.status_code, answer.json()) == (400, {"ok": False, "error": error})
        assert sandbox.hooks == {}
    finally:
        sandbox.stop()
