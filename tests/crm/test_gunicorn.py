"""The production web server (gunicorn with crm/gunicorn.conf.py) does not say what it is."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "crm/gunicorn.conf.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, *, deadline: float) -> http.client.HTTPResponse:
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return response
        except OSError:
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _serve(*args: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env |= {
        "DEBUG": "true",
        "SECRET_KEY": "gunicorn-test-only-" + "x" * 40,
        "CRM_ENV_FILE": os.devnull,
        "VAR_DIR": os.environ.get("VAR_DIR", "/tmp/crm-test-var"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            *args,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "crm.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return process, port


def _headers(*args: str) -> dict[str, str]:
    process, port = _serve(*args)
    try:
        response = _get(port, "/", deadline=time.monotonic() + 30)
        assert response.status == 302  # to the sign-in page: answered without the database
        return {name.lower(): value for name, value in response.getheaders()}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_with_the_project_config_sends_no_server_header():
    headers = _headers("--config", CONFIG)
    assert "server" not in headers
    assert headers["location"] == "/login/?next=/"


def test_plain_gunicorn_would_advertise_itself():
    """What the config takes away: without it gunicorn names itself (and would its version)."""
    headers = _headers()
    assert headers["server"] == "gunicorn"


def test_the_deployment_starts_gunicorn_with_the_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    assert re.findall(r"^CMD .*$", dockerfile, re.M) == [
        f'CMD ["gunicorn", "--config", "{CONFIG}", "crm.wsgi:application"]'
    ]
    assert re.findall(r"gunicorn [^\"\n]*", compose) == [
        f"gunicorn --config {CONFIG} crm.wsgi:application"
    ]
