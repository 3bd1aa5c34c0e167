"""Start the web server, a Celery worker and Celery beat together; stop all three on Ctrl+C.

Used by `make run`. With no REDIS_URL the three share the filesystem broker under var/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def main() -> int:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "true"), "PYTHONUNBUFFERED": "1"}
    celery = str(BIN / "celery")
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}"],
        "worker": [celery, "-A", "crm", "worker", "--pool=solo", "--loglevel=INFO"],
        "beat": [celery, "-A", "crm", "beat", "--loglevel=INFO"],
    }
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}
    from crm.management.commands.loaddemo import DEMO_PASSWORD

    time.sleep(2)
    print(
        "\n"
        f"  The CRM is running at http://{HOST}:{PORT}/\n"
        f"  Sign in as 'owner' (or manager, sales, warehouse, accountant), "
        f"password '{DEMO_PASSWORD}'.\n"
        "  Press Ctrl+C to stop the web server, the worker and beat.\n",
        flush=True,
    )

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; stopping the others.")
                exit_code = proc.returncode or 1
                stopping = True
                break
        time.sleep(0.5)
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in procs.values():
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return exit_code


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
