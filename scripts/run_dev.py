"""Start the web server, Celery workers, Celery beat and the local sandboxes together; stop
them all on Ctrl+C.

Used by `make run`. With no REDIS_URL they share the filesystem broker under var/. The Shopee
sandbox (SANDBOX_PORT, default 8701) is seeded from the demo catalogue and places an order every
ORDER_EVERY seconds (default 20); once the web server answers, `manage.py demomarketplace`
connects the demo shop to it and registers our webhook URL; the TikTok Shop (8703,
`manage.py demotiktok`) and Lazada (LAZADA_SANDBOX_PORT, 8705, `manage.py demolazada`) sandboxes
get their demo shop the same way, selling some of the same SKUs. The carrier sandboxes, GHN
(GHN_SANDBOX_PORT, 8711) and Viettel Post (VTP_SANDBOX_PORT, 8702), move every open parcel one
status every PARCEL_EVERY seconds (default 20); the e-invoice sandboxes are S-Invoice
(SINVOICE_SANDBOX_PORT, 8704) and MISA (MISA_SANDBOX_PORT, 8710); `manage.py democarriers`
then creates and connects the demo's accounts on them and registers our webhook URLs. The chat
sandbox (CHAT_SANDBOX_PORT, 8712) plays Messenger, Zalo OA and LINE: `manage.py demoassistant`
connects the demo's chat accounts to it and registers our webhooks, and it then posts one
scripted customer message every CHAT_EVERY seconds (default 20), which the assistant answers
(Chat inbox); the website chat's demo page is /assistant/widget/demo/.
SANDBOX=0 leaves every sandbox out.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
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
PARCEL_EVERY = os.environ.get("PARCEL_EVERY", "20")
# name: (module, port, extra arguments, what the banner says)
CARRIER_SANDBOXES = {
    "ghn-sandbox": (
        "shipping.sandbox.ghn",
        os.environ.get("GHN_SANDBOX_PORT", "8711"),
        ["--advance-every", PARCEL_EVERY, "--retry-interval", "5"],
        "GHN",
    ),
    "vtp-sandbox": (
        "shipping.sandbox.viettel_post",
        os.environ.get("VTP_SANDBOX_PORT", "8702"),
        ["--advance-every", PARCEL_EVERY],
        "Viettel Post",
    ),
    "sinvoice-sandbox": (
        "invoicing.sandbox.sinvoice",
        os.environ.get("SINVOICE_SANDBOX_PORT", "8704"),
        [],
        "S-Invoice",
    ),
    "misa-sandbox": (
        "invoicing.sandbox.misa",
        os.environ.get("MISA_SANDBOX_PORT", "8710"),
        [],
        "MISA meInvoice",
    ),
}
SEED_FILE = ROOT / "var" / "shopee-sandbox-seed.json"
# The TikTok Shop sandbox (TIKTOK_SANDBOX_PORT, default 8703), seeded by `manage.py demotiktok`;
# its webhook retries run 100 times faster than TikTok's (+2 min becomes 1.2 s).
TIKTOK_SANDBOX_PORT = os.environ.get("TIKTOK_SANDBOX_PORT", "8703")
TIKTOK_SEED_FILE = ROOT / "var" / "tiktok-sandbox-seed.json"
# The Lazada sandbox (LAZADA_SANDBOX_PORT, default 8705), seeded by `manage.py demolazada`; its
# push retries come every 2 s instead of every 30 minutes.
LAZADA_SANDBOX_PORT = os.environ.get("LAZADA_SANDBOX_PORT", "8705")
LAZADA_SEED_FILE = ROOT / "var" / "lazada-sandbox-seed.json"
# The chat sandbox (Messenger, Zalo OA, LINE) and its customers' script (`manage.py
# demoassistant --write-script`), one message every CHAT_EVERY seconds.
CHAT_SANDBOX_PORT = os.environ.get("CHAT_SANDBOX_PORT", "8712")
CHAT_EVERY = os.environ.get("CHAT_EVERY", "20")
CHAT_SCRIPT_FILE = ROOT / "var" / "chat-sandbox-script.json"


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


def _wait_port(port: str, timeout: float = 30) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", int(port)), timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def _sandbox_url(name: str) -> str:
    return f"http://127.0.0.1:{CARRIER_SANDBOXES[name][1]}"


def _carriers_demo(env: dict[str, str]) -> None:
    """Create and connect the demo's carrier and e-invoice accounts on the running sandboxes
    (each failure is printed; the CRM runs on)."""
    down = [n for n, (_m, port, _a, _l) in CARRIER_SANDBOXES.items() if not _wait_port(port)]
    if down or not _wait_http(f"http://{HOST}:{PORT}/healthz"):
        print(f"Not answering: {', '.join(down) or 'the web server'}; no carrier demo.")
        return
    base = env.get("SITE_URL", "").rstrip("/") or f"http://{HOST}:{PORT}"
    subprocess.run(
        [
            *(sys.executable, "manage.py", "democarriers", "--site-url", base),
            *("--ghn-url", _sandbox_url("ghn-sandbox")),
            *("--viettel-post-url", _sandbox_url("vtp-sandbox")),
            *("--sinvoice-url", _sandbox_url("sinvoice-sandbox")),
            *("--misa-url", _sandbox_url("misa-sandbox")),
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )


def _banner(procs: dict[str, subprocess.Popen[bytes]]) -> str:
    lines = [
        f"  The CRM is running at http://{HOST}:{PORT}/",
        f"  Sign in as {' / '.join(DEMO_ROLES)}, password '{DEMO_PASSWORD}'.",
    ]
    if "sandbox" in procs:
        lines.append(
            f"  Shopee sandbox at http://127.0.0.1:{SANDBOX_PORT}/ places an order every "
            f"{ORDER_EVERY} s (Marketplaces page, order list)."
        )
    for name, port, label in (
        ("tiktok-sandbox", TIKTOK_SANDBOX_PORT, "TikTok Shop"),
        ("lazada-sandbox", LAZADA_SANDBOX_PORT, "Lazada"),
    ):
        if name in procs:
            lines.append(f"  {label} sandbox at http://127.0.0.1:{port}/ places orders too.")
    for name, (_module, port, _args, label) in CARRIER_SANDBOXES.items():
        if name in procs:
            lines.append(f"  {label} sandbox at http://127.0.0.1:{port}/")
    if "ghn-sandbox" in procs:
        lines.append(
            f"  Parcels move one status every {PARCEL_EVERY} s and call us back (Carriers page, "
            "Shipments); e-invoice accounts on the E-invoice accounts page."
        )
    if "chat-sandbox" in procs:
        lines.append(
            f"  Chat sandbox (Messenger, Zalo OA, LINE) at http://127.0.0.1:{CHAT_SANDBOX_PORT}/ "
            f"sends a customer message every {CHAT_EVERY} s; the assistant answers (Chat inbox,"
            f" http://{HOST}:{PORT}/assistant/inbox/). Chat yourself on "
            f"http://{HOST}:{PORT}/assistant/widget/demo/."
        )
    lines.append("  Press Ctrl+C to stop the web server, the workers, beat and the sandboxes.")
    return "\n" + "\n".join(lines) + "\n"


# label -> (manage.py command, sandbox port, a control path that answers once it runs, webhook)
MARKETPLACE_DEMOS = {
    "Shopee": ("demomarketplace", SANDBOX_PORT, "/_sandbox/state", "shopee"),
    "TikTok": ("demotiktok", TIKTOK_SANDBOX_PORT, "/_sandbox/state", "tiktok"),
    "Lazada": ("demolazada", LAZADA_SANDBOX_PORT, "/_sandbox/calls", "lazada"),
}


def _marketplace_demos(env: dict[str, str]) -> None:
    """Connect each demo shop to its running sandbox (a failure is printed; the CRM runs on)."""
    # A sandbox signs each push with the URL it posts to; we check it against SITE_URL.
    base = env.get("SITE_URL", "").rstrip("/") or f"http://{HOST}:{PORT}"
    for label, (command, port, probe, hook) in MARKETPLACE_DEMOS.items():
        sandbox_url = f"http://127.0.0.1:{port}"
        if not (_wait_http(sandbox_url + probe) and _wait_http(f"http://{HOST}:{PORT}/healthz")):
            print(f"The {label} sandbox or the web server did not start; no {label} demo.")
            continue
        subprocess.run(
            [
                *(sys.executable, "manage.py", command),
                *("--sandbox-url", sandbox_url, "--webhook-url", f"{base}/webhooks/{hook}"),
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )


def _assistant_demo(env: dict[str, str]) -> None:
    """Connect the demo's chat accounts to the running chat sandbox (a failure is printed)."""
    sandbox_url = f"http://127.0.0.1:{CHAT_SANDBOX_PORT}"
    if not _wait_http(f"{sandbox_url}/_sandbox/state"):
        print("The chat sandbox did not start; no assistant demo.")
        return
    base = env.get("SITE_URL", "").rstrip("/") or f"http://{HOST}:{PORT}"
    subprocess.run(
        [
            *(sys.executable, "manage.py", "demoassistant"),
            *("--sandbox-url", sandbox_url, "--site-url", base),
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
    print(_banner(procs), flush=True)
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; stopping the others.")
                return proc.returncode or 1
        time.sleep(0.5)
    return 0


def _write_seed(env: dict[str, str], command: str, path: Path) -> None:
    subprocess.run(
        [sys.executable, "manage.py", command, "--write-seed", str(path)],
        cwd=ROOT,
        env=env,
        check=True,
    )


def _sandbox_commands(env: dict[str, str]) -> dict[str, list[str]]:
    """The sandboxes' commands (their seed files written first)."""
    commands: dict[str, list[str]] = {}
    _write_seed(env, "demomarketplace", SEED_FILE)
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
    _write_seed(env, "demotiktok", TIKTOK_SEED_FILE)
    commands["tiktok-sandbox"] = [
        *(sys.executable, "-m", "channels_sync.sandbox.tiktok"),
        *("--port", TIKTOK_SANDBOX_PORT, "--seed", str(TIKTOK_SEED_FILE)),
        *("--order-every", ORDER_EVERY, "--retry-scale", "0.01"),
    ]
    _write_seed(env, "demolazada", LAZADA_SEED_FILE)
    commands["lazada-sandbox"] = [
        *(sys.executable, "-m", "channels_sync.sandbox.lazada"),
        *("--port", LAZADA_SANDBOX_PORT, "--seed", str(LAZADA_SEED_FILE)),
        *("--order-every", ORDER_EVERY, "--push-retry-interval", "2"),
    ]
    for name, (module, port, args, _label) in CARRIER_SANDBOXES.items():
        commands[name] = [sys.executable, "-m", module, "--port", port, *args]
    subprocess.run(
        [sys.executable, "manage.py", "demoassistant", "--write-script", str(CHAT_SCRIPT_FILE)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    commands["chat-sandbox"] = [
        *(sys.executable, "-m", "assistant.sandbox.chat", "--port", CHAT_SANDBOX_PORT),
        *("--script", str(CHAT_SCRIPT_FILE), "--message-every", CHAT_EVERY),
    ]
    return commands


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
        commands.update(_sandbox_commands(env))
    # Each child leads its own process group, so stopping it also stops what it spawned (the
    # runserver autoreloader runs the server in a grandchild).
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, cmd in commands.items():
            procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        if WITH_SANDBOX:
            _marketplace_demos(env)
            _carriers_demo(env)
            _assistant_demo(env)
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
