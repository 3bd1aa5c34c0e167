"""`make run`'s carrier and e-invoice demo: accounts on the running local sandboxes.

    python manage.py democarriers --site-url http://127.0.0.1:8000 \
        [--ghn-url http://127.0.0.1:8711] [--viettel-post-url http://127.0.0.1:8702] \
        [--sinvoice-url http://127.0.0.1:8704] [--misa-url http://127.0.0.1:8710]

One line per step; a failed step says why and the others run on (exit code 0 either way, so
the CRM keeps running: see crm/demo_carriers.py).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crm.demo_carriers import SandboxUrls, carriers_demo_setup


class Command(BaseCommand):
    help = "Connect the demo's carrier and e-invoice accounts to the running local sandboxes."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = SandboxUrls()
        parser.add_argument("--site-url", default="http://127.0.0.1:8000")
        parser.add_argument("--ghn-url", default=defaults.ghn)
        parser.add_argument("--viettel-post-url", default=defaults.viettel_post)
        parser.add_argument("--sinvoice-url", default=defaults.sinvoice)
        parser.add_argument("--misa-url", default=defaults.misa)

    def handle(self, *args: Any, **options: Any) -> None:
        urls = SandboxUrls(
            ghn=options["ghn_url"].rstrip("/"),
            viettel_post=options["viettel_post_url"].rstrip("/"),
            sinvoice=options["sinvoice_url"].rstrip("/"),
            misa=options["misa_url"].rstrip("/"),
        )
        result = carriers_demo_setup(
            urls=urls, site_url=options["site_url"].rstrip("/"), say=self.stdout.write
        )
        if result.failed:
            self.stdout.write(
                f"Demo carriers: {len(result.failed)} step(s) failed ({', '.join(result.failed)});"
                " the CRM runs on without them."
            )
