"""Start the web server, a Celery worker, Celery beat and the Shopee sandbox together; stop
them all on Ctrl+C.

Used by `make run`. With no REDIS_URL they share the filesystem broker under var/. The Shopee
sandbox (SANDBOX_PORT, default 8701) is seeded from the demo catalogue and places an order every
ORDER_EVERY seconds (default 20); once the web server answers, `manage.py demomarketplace`
connects the demo shop to it and registers our webhook URL. SANDBOX=0 leaves the sandbox out.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from crm.demo import DEMO_PASSWORD, DEMO_ROLES  # noqa: E402

BIN = Path(sys.executable).parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
SANDBOX_PORT = os.environ.get("SANDBOX_PORT", "8701")
ORDER_EVERY = os.environ.get("ORDER_EVERY", "20")
WITH_SANDBOX = os.environ.get("SANDBOX", "1") != "0"
SEED_FILE = ROOT / "var" / "shopee-sandbox-seed.json"


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _wait_http(url: str, timeout: float = 60) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local servers
                return True
        except OSError:
            time.sleep(0.5)
    return False


def _marketplace_demo(env: dict[str, str]) -> None:
    """Connect the demo shop to the running sandbox (a failure is printed; the CRM runs on)."""
    sandbox_url = f"http://127.0.0.1:{SANDBOX_PORT}"
    if not (
        _wait_http(f"{sandbox_url}/_sandbox/state") and _wait_http(f"http://{HOST}:{PORT}/healthz")
    ):
        print("The Shopee sandbox or the web server did not start; no marketplace demo.")
        return
    # The sandbox signs each push with the URL it posts to; we check it against SITE_URL.
    base = env.get("SITE_URL", "").rstrip("/") or f"http://{HOST}:{PORT}"
    webhook_url = f"{base}/webhooks/shopee"
    subprocess.run(
        [
            *(sys.executable, "manage.py", "demomarketplace"),
            *("--sandbox-url", sandbox_url, "--webhook-url", webhook_url),
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )


def _supervise(procs: dict[str, subprocess.Popen[bytes]]) -> int:
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    time.sleep(2)
    print(
        f"\n  The CRM is running at http://{HOST}:{PORT}/\n"
        f"  Sign in as {' / '.join(DEMO_ROLES)}, password '{DEMO_PASSWORD}'.\n"
        + (
            f"  Shopee sandbox at http://127.0.0.1:{SANDBOX_PORT}/ places an order every "
            f"{ORDER_EVERY} s (Marketplaces page, order list).\n"
            if "sandbox" in procs
            else ""
        )
        + "  Press Ctrl+C to stop the web server, the worker, beat and the sandbox.\n",
        flush=True,
    )
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; stopping the others.")
                return proc.returncode or 1
        time.sleep(0.5)
    return 0


def main() -> int:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "true"), "PYTHONUNBUFFERED": "1"}
    celery = str(BIN / "celery")
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}"],
        # The website's jobs and the marketplace's (channels_sync.tasks.QUEUE) each have a
        # worker, so a marketplace burst never holds up the website's jobs.
        "worker": [celery, "-A", "crm", "worker", "--pool=solo", "-Q", "celery", "--loglevel=INFO"],
        "worker-marketplace": [
            celery,
            "-A",
            "crm",
            "worker",
            "--pool=solo",
            "-Q",
            "marketplace",
            "-n",
            "marketplace@%h",
            "--loglevel=INFO",
        ],
        "beat": [celery, "-A", "crm", "beat", "--loglevel=INFO"],
    }
    if WITH_SANDBOX:
        subprocess.run(
            [sys.executable, "manage.py", "demomarketplace", "--write-seed", str(SEED_FILE)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        commands["sandbox"] = [
            sys.executable,
            "-m",
            "channels_sync.sandbox.shopee",
            "--port",
            SANDBOX_PORT,
            "--seed",
            str(SEED_FILE),
            "--order-every",
            ORDER_EVERY,
        ]
    # Each child leads its own process group, so stopping it also stops what it spawned (the
    # runserver autoreloader runs the server in a grandchild).
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, cmd in commands.items():
            procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        if WITH_SANDBOX:
            _marketplace_demo(env)
        return _supervise(procs)
    finally:
        for proc in procs.values():
            _signal_group(proc, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
