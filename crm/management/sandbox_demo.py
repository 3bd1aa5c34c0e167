"""The shape the marketplace demo commands share (demomarketplace, demotiktok, demolazada):
`--write-seed FILE` writes the platform sandbox's seed; `--sandbox-url URL [--webhook-url URL]`
connects the demo shop to the running sandbox and places its first orders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandParser


class SandboxDemoCommand(BaseCommand):
    platform: ClassVar[str]  # as the messages name it: "Shopee", "TikTok", "Lazada"

    def seed(self) -> dict[str, Any]:
        """The sandbox's seed file content."""
        raise NotImplementedError

    def connect(self, *, sandbox_url: str, webhook_url: str) -> str:
        """Connect the demo shop to the sandbox; the line that says what was done."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write-seed", type=Path)
        parser.add_argument("--sandbox-url")
        parser.add_argument("--webhook-url")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["write_seed"]:
            path: Path = options["write_seed"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(self.seed(), ensure_ascii=False, indent=1))
            self.stdout.write(f"{self.platform} sandbox seed written to {path}")
        if options["sandbox_url"]:
            self.stdout.write(
                self.connect(sandbox_url=options["sandbox_url"], webhook_url=options["webhook_url"])
            )
