"""`make run`'s assistant demo: chat accounts on the running chat sandbox, and its script.

    python manage.py demoassistant --site-url http://127.0.0.1:8000 \
        [--sandbox-url http://127.0.0.1:8712]
    python manage.py demoassistant --write-script var/chat-sandbox-script.json

One line per step; a failed step says why and the others run on (exit code 0 either way, so
the CRM keeps running: see crm/demo_assistant.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crm.demo_assistant import assistant_demo_setup, assistant_script, script_summary


class Command(BaseCommand):
    help = "Connect the demo's chat accounts (Messenger, Zalo OA, LINE, website) to the sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site-url", default="http://127.0.0.1:8000")
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8712")
        parser.add_argument(
            "--write-script",
            type=Path,
            help="Write the sandbox's customer messages (JSON) to this file and stop.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["write_script"]:
            path: Path = options["write_script"]
            path.parent.mkdir(parents=True, exist_ok=True)
            turns = assistant_script()
            path.write_text(json.dumps(turns, ensure_ascii=False, indent=1), encoding="utf-8")
            self.stdout.write(f"Chat sandbox script: {script_summary(turns)} in {path}.")
            return
        result = assistant_demo_setup(
            sandbox_url=options["sandbox_url"], site_url=options["site_url"], say=self.stdout.write
        )
        if result.failed:
            self.stdout.write(
                f"Demo assistant: {len(result.failed)} step(s) failed "
                f"({', '.join(result.failed)}); the CRM runs on without them."
            )
