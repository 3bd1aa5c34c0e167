"""Modules over 500 lines and functions over 60 lines (issue 11's limits), for the house rules.

    .venv/bin/python scripts/code_size.py          # application code (not tests, migrations)
    .venv/bin/python scripts/code_size.py --all    # tests and benchmarks too

A function over the limit is listed with "reason" when its first body lines carry a comment
that starts with "Over 60 lines"; a module with "reason" when its docstring or first comment
says "Over 500 lines".
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "crm",
    "common",
    "inventory",
    "orders",
    "channels_sync",
    "shipping",
    "invoicing",
    "followups",
)
MODULE_LIMIT, FUNCTION_LIMIT = 500, 60


def files(everything: bool) -> list[Path]:
    roots = [*APPS, "scripts"] + (["tests"] if everything else [])
    found = []
    for root in roots:
        for path in (ROOT / root).rglob("*.py"):
            if "migrations" not in path.parts:
                found.append(path)
    return sorted(found)


def has_reason(lines: list[str], start: int, end: int, marker: str) -> bool:
    return any(marker in line for line in lines[start:end])


def main() -> None:
    everything = "--all" in sys.argv
    long_modules, long_functions, total = [], [], 0
    for path in files(everything):
        text = path.read_text()
        lines = text.splitlines()
        total += len(lines)
        rel = path.relative_to(ROOT)
        if len(lines) > MODULE_LIMIT:
            reason = has_reason(lines, 0, 40, "Over 500 lines")
            long_modules.append((len(lines), str(rel), reason))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LIMIT:
                    body_start = node.body[0].lineno - 1
                    reason = has_reason(lines, node.lineno - 1, body_start + 6, "Over 60 lines")
                    long_functions.append((length, f"{rel}:{node.lineno} {node.name}", reason))
    print(f"lines: {total}")
    print(f"modules over {MODULE_LIMIT}: {len(long_modules)}")
    for n, name, reason in sorted(long_modules, reverse=True):
        print(f"  {n:5d} {name}{'  (reason)' if reason else ''}")
    print(f"functions over {FUNCTION_LIMIT}: {len(long_functions)}")
    for n, name, reason in sorted(long_functions, reverse=True):
        print(f"  {n:5d} {name}{'  (reason)' if reason else ''}")


if __name__ == "__main__":
    main()
