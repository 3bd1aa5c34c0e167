"""python -m assistant.eval [--engine offline --engine llm-scripted --engine llm] [-v]

Seeds the catalogue and orders (assistant.eval.catalogue) in a transaction that is rolled back
at the end, runs every scripted conversation through each engine and prints its figures:
the offline responder; the LLM engine against the scripted OpenAI-compatible server
(assistant.sandbox.openai_server); and the LLM engine against the real endpoint of
ASSISTANT_LLM_BASE_URL / _MODEL / _API_KEY when those are set.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    import django

    django.setup()
    from assistant.eval.report import run_all

    parser = argparse.ArgumentParser(prog="python -m assistant.eval")
    parser.add_argument("--engine", action="append", choices=["offline", "llm-scripted", "llm"])
    parser.add_argument("-v", "--verbose", action="store_true", help="list failed conversations")
    args = parser.parse_args(argv)
    return run_all(engines=args.engine, verbose=args.verbose, out=sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
