"""What the sandboxes' command lines share: the parser with --host and --port (and, for the
marketplaces, --seed FILE and --order-every SECONDS), the seed file, and serving until Ctrl-C
with an optional job repeated every few seconds (demo orders, parcels moving on)."""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Stoppable(Protocol):
    def stop(self) -> None: ...


class Startable(Stoppable, Protocol):
    def start(self, host: str = ..., port: int = ...) -> Any: ...


SandboxT = TypeVar("SandboxT", bound=Startable)


def sandbox_parser(description: str, *, port: int, seeded: bool = False) -> argparse.ArgumentParser:
    """--host and --port; with `seeded`, --seed FILE and --order-every SECONDS too."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    if seeded:
        parser.add_argument("--seed", type=Path)
        parser.add_argument("--order-every", type=float)
    return parser


def read_seed(path: Path | None) -> dict[str, Any] | None:
    """The seed file's JSON object, or None without a file."""
    if path is None:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: the seed file holds one JSON object")
    return data


def placed(place: Callable[[random.Random], T | None]) -> Callable[[], list[str]]:
    """A tick placing one random order with `place(rng)`, saying so when it did."""
    rng = random.Random()  # noqa: S311 - demo data, not security

    def tick() -> list[str]:
        order = place(rng)
        return [] if order is None else [f"placed order {order}"]

    return tick


def serve_seeded(
    sandbox: SandboxT,
    args: argparse.Namespace,
    *,
    seed: Callable[[SandboxT, dict[str, Any]], None],
    place: Callable[[SandboxT, random.Random], object | None],
    banner: Callable[[SandboxT], str],
) -> None:
    """A marketplace sandbox's command line after parsing (`sandbox_parser(seeded=True)`):
    seed it from --seed, start it, print the banner and serve, placing a random order every
    --order-every seconds."""
    if (data := read_seed(args.seed)) is not None:
        seed(sandbox, data)
    sandbox.start(args.host, args.port)
    print(banner(sandbox), flush=True)
    tick = placed(lambda rng: place(sandbox, rng))
    serve_until_interrupted(sandbox, every=args.order_every, tick=tick)


def serve_until_interrupted(
    sandbox: Stoppable,
    *,
    every: float | None = None,
    tick: Callable[[], Iterable[str]] | None = None,
) -> None:
    """Block until Ctrl-C, then stop the (started) sandbox. With `every` and `tick`, a daemon
    thread calls `tick` every `every` seconds and prints the lines it returns."""
    stop = threading.Event()
    if every and tick is not None:
        threading.Thread(target=_repeat, args=(every, tick, stop), daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        sandbox.stop()


def _repeat(every: float, tick: Callable[[], Iterable[str]], stop: threading.Event) -> None:
    while not stop.wait(every):
        for line in tick():
            print(line, flush=True)
