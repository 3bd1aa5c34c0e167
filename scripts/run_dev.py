"""Start the web server, a Celery worker and Celery beat together; stop all three on Ctrl+C.

Used by `make run`. With no REDIS_URL the three share the filesystem broker under var/.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from crm.demo import DEMO_PASSWORD, DEMO_ROLES  # noqa: E402

BIN = Path(sys.executable).parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


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
        "  Press Ctrl+C to stop the web server, the worker and beat.\n",
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
        "worker": [celery, "-A", "crm", "worker", "--pool=solo", "--loglevel=INFO"],
        "beat": [celery, "-A", "crm", "beat", "--loglevel=INFO"],
    }
    # Each child leads its own process group, so stopping it also stops what it spawned (the
    # runserver autoreloader runs the server in a grandchild).
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, cmd in commands.items():
            procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
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
