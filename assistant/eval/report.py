"""Runs the eval for the chosen engines inside a rolled-back transaction and prints the
figures (see assistant/eval/__main__.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from assistant.engine import Engine
from assistant.eval.catalogue import seed
from assistant.eval.metrics import Figures, figures
from assistant.eval.runner import load_conversations, run_engine
from assistant.llm.client import LLMConfig
from assistant.llm.engine import LLMEngine
from assistant.offline.responder import OfflineEngine
from assistant.sandbox.openai_server import ScriptedOpenAI
from inventory.models import Variant
from orders.models import Order

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def evaluate(engines: list[str]) -> list[Figures]:
    """The figures of each engine, over the same seeded data; nothing is kept."""
    results: list[Figures] = []
    with transaction.atomic():
        seeded = seed(now=NOW)
        specs = load_conversations(seeded)
        for name in engines:
            server = ScriptedOpenAI() if name == "llm-scripted" else None
            make: Callable[[], Engine] = OfflineEngine
            if server is not None:
                server.start()
                config = LLMConfig(server.base_url, server.model, server.api_key, timeout=10)
                make = partial(LLMEngine, config)
            elif name == "llm":
                make = LLMEngine
            try:
                outcomes = run_engine(
                    specs, engine_name=name, make_engine=make, now=NOW, server=server
                )
                results.append(figures(name, outcomes))
            finally:
                if server is not None:
                    server.stop()
        transaction.set_rollback(True)
    return results


def default_engines() -> list[str]:
    engines = ["offline", "llm-scripted"]
    if settings.ASSISTANT_LLM_BASE_URL and settings.ASSISTANT_LLM_MODEL:
        engines.append("llm")
    return engines


def print_figures(result: Figures, out: TextIO, *, verbose: bool) -> None:
    rate = result.succeeded / result.conversations if result.conversations else 0.0
    out.write(
        f"{result.engine}\n"
        f"  task success            {result.succeeded}/{result.conversations} ({rate:.0%})\n"
        f"  stated != database      {result.stated_mismatches} against the turn's tool results,"
        f" {result.unexplained} against the database alone (must be 0)\n"
        f"  promises outside rules  {result.promises}  (must be 0)\n"
        f"  confirmations skipped   {result.confirmations_skipped}  (must be 0)\n"
        f"  hand-over precision     {result.hand_over_precision:.2f}\n"
        f"  hand-over recall        {result.hand_over_recall:.2f}\n"
        f"  latency per turn        p50 {result.latency_p50_ms:.1f} ms, "
        f"p95 {result.latency_p95_ms:.1f} ms ({result.turns} turns)\n"
        f"  guardrails replaced     {result.regenerated} regenerated, "
        f"{result.templated} templated\n"
    )
    if result.engine == "llm-scripted":
        out.write(f"  scripted steps unused   {result.script_left}\n")
    if verbose:
        for conversation, why in result.failed.items():
            out.write(f"  FAILED {conversation}: {'; '.join(why)}\n")


def run_all(*, engines: list[str] | None, verbose: bool, out: TextIO) -> int:
    """0: figures printed, the must-be-0 ones are 0; 1: one of them is not; 2: not run (the
    database holds a catalogue or orders: searches would find them, and order numbers, drawn
    from a PostgreSQL sequence, would skip the ones the eval used)."""
    if Variant.objects.exists() or Order.objects.exists():
        out.write(
            "The eval runs on an empty, migrated database (createdb crm_eval; "
            "DATABASE_URL=.../crm_eval python manage.py migrate): this one has products or "
            "orders.\n"
        )
        return 2
    results = evaluate(engines or default_engines())
    for result in results:
        print_figures(result, out, verbose=verbose)
    bad = any(
        r.stated_mismatches or r.unexplained or r.confirmations_skipped or r.promises
        for r in results
    )
    return 1 if bad else 0
