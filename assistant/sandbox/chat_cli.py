"""Command line of the chat sandbox: `python -m assistant.sandbox.chat`.

    python -m assistant.sandbox.chat --port 8712 [--host 127.0.0.1]
        [--script demo-chat.json] [--message-every SECONDS]

It starts with no account: the shop registers each platform's webhook with its credentials
(POST /_sandbox/webhook, what `manage.py demoassistant` does), and from then on the send APIs
accept that account's access token. With --script (a JSON list of {"platform", "user",
"text"}, as `manage.py demoassistant --write-script` writes it) and --message-every, a customer
message of the script is posted to its platform's webhook every SECONDS, round and round.
"""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path

from assistant.sandbox.chat import ChatSandbox
from assistant.sandbox.chat_demo import ScriptRunner


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Messenger / Zalo OA / LINE sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8712)
    parser.add_argument("--script", type=Path)
    parser.add_argument("--message-every", type=float, default=0.0)
    args = parser.parse_args(argv)
    turns = json.loads(args.script.read_text(encoding="utf-8")) if args.script else []
    sandbox = ChatSandbox().start(args.host, args.port)
    runner = ScriptRunner(sandbox, turns if isinstance(turns, list) else [])
    print(
        f"Chat sandbox (Messenger, Zalo OA, LINE) on {sandbox.url}; "
        f"{len(runner.turns)} scripted customer messages"
        + (f", one every {args.message_every:g} s" if args.message_every else "")
        + ".",
        flush=True,
    )
    stop = threading.Event()
    try:
        while not stop.wait(args.message_every or 3600):
            if args.message_every:
                posted = runner.step()
                if posted is not None:
                    print(
                        f"{posted.platform} {posted.user_id}: {posted.text!r} -> {posted.status}",
                        flush=True,
                    )
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
