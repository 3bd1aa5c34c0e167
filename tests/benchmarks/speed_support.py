"""Plumbing of bench_speed.py: the gunicorn under test, signed-in HTTP clients driven from
threads, the raw-INSERT baseline, and the data the rows need beyond bench_orders' loader
(follow-ups in the current month, a 25-line purchase order).

Imported by bench_speed.py after it has set the environment and called django.setup().
"""

from __future__ import annotations

import itertools
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "bench-" + "x" * 20  # bench_orders._owner's password


# --- Measures --------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (nan when there are no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


@dataclass
class Measure:
    """Wall milliseconds of each successful request of one row, and what went wrong."""

    label: str
    clients: int
    samples: list[float] = field(default_factory=list)
    wall: float = 0.0  # seconds from the first request to the last answer
    errors: int = 0
    first_error: str = ""
    note: str = ""
    value: float = float("nan")  # a row's own figure (the intake's share of the raw rate)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.wall if self.wall else float("nan")

    def p(self, q: float) -> float:
        return percentile(self.samples, q)


# --- The server under test -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    """Production settings (DEBUG off, manifest static files) minus HTTPS, which a local
    benchmark has not got, and minus the API rate limit, which would cap the intake row."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.update(
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        API_RATE_LIMIT_PER_MINUTE="100000000",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    )
    return env


def collect_static(env: dict[str, str], log: Path) -> None:
    """The manifest storage of DEBUG-off settings needs collectstatic (into VAR_DIR/static)."""
    with log.open("ab") as out:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )


def start_gunicorn(
    env: dict[str, str], log: Path, *, workers: int, threads: int
) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn with the project's config file (as production runs it) on a free local port."""
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "--config",
        "crm/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        str(log.with_name("access.log")),
        "crm.wsgi:application",
    ]
    out = log.open("ab")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"gunicorn did not answer within 90 s; see {log}")


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A Celery worker for the website's jobs (the big picking lists are background jobs),
    one process, as a small production box runs it beside gunicorn."""
    command = [
        str(BIN / "celery"),
        "-A",
        "crm",
        "worker",
        "-Q",
        "celery",
        "--concurrency",
        "1",
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
    ]
    out = log.open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- Signed-in HTTP clients ------------------------------------------------------------------


def sign_in(base: str, username: str) -> requests.Session:
    """Sign in through /login/ like a browser: the CSRF cookie, then the form with its token."""
    session = requests.Session()
    session.headers["Accept-Language"] = "vi"
    page = session.get(f"{base}/login/", timeout=30)
    page.raise_for_status()
    token = session.cookies.get("csrftoken") or ""
    answer = session.post(
        f"{base}/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"sign-in as {username} failed: HTTP {answer.status_code}")
    return session


def clone(session: requests.Session) -> requests.Session:
    """A session of its own per thread, carrying the same sign-in."""
    twin = requests.Session()
    twin.headers.update(session.headers)
    twin.cookies.update(session.cookies)
    return twin


# A request of a row: (session, index of the request) -> None on success, else what was wrong.
Call = Callable[[requests.Session, int], "str | None"]


def drive(
    label: str, call: Call, session: requests.Session, *, clients: int, total: int, warmup: int
) -> Measure:
    """`warmup` requests one after the other, then `total` requests from `clients` threads
    (each takes the next index until none is left); each successful one is timed."""
    measure = Measure(label, clients)
    for index in range(warmup):
        call(session, -1 - index)
    counter = itertools.count()
    lock = threading.Lock()

    def worker() -> None:
        own = clone(session)
        while (index := next(counter)) < total:
            start = time.perf_counter()
            try:
                problem = call(own, index)
            except Exception as error:
                problem = f"{type(error).__name__}: {error}"
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if problem is None:
                    measure.samples.append(elapsed)
                else:
                    measure.errors += 1
                    measure.first_error = measure.first_error or problem[:300]

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measure.wall = time.perf_counter() - begin
    return measure


def expect_html(response: requests.Response) -> str | None:
    """None for the page itself; what went wrong for an error or a detour to the sign-in."""
    if response.status_code != 200:
        return f"HTTP {response.status_code} {response.url}: {response.text[:200]!r}"
    if response.history and "/login/" in response.url:
        return f"sent to the sign-in page ({response.url})"
    return None


DOWNLOAD = re.compile(r'href="([^"]*download[^"]*)"')


def pdf_of(
    session: requests.Session, response: requests.Response, *, timeout: float = 300
) -> bytes:
    """The PDF a request produced: the answer itself, or, when the work went to a background
    job, the file behind the download link of the page the answer led to (polled)."""
    deadline = time.monotonic() + timeout
    while True:
        problem = expect_html(response)
        if problem:
            raise RuntimeError(problem)
        if response.headers.get("Content-Type", "").startswith("application/pdf"):
            return response.content
        link = DOWNLOAD.search(response.text)
        if link:
            url = requests.compat.urljoin(response.url, link.group(1).replace("&amp;", "&"))
            response = session.get(url, timeout=timeout)
            continue
        if time.monotonic() > deadline:
            raise RuntimeError(f"no PDF from {response.url} within {timeout} s")
        time.sleep(0.3)
        response = session.get(response.url, timeout=timeout)


def pdf_pages(pdf: bytes) -> int:
    """Page count (pdfinfo from poppler; 0 when it is missing)."""
    try:
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return 0
    found = re.search(rb"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    return int(found.group(1)) if found else 0
