"""common.http.client(): a redirect is handed back as it came, never followed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from common.http import client


class _Redirecting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"followed"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Redirecting.hits = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_redirect_comes_back_unfollowed(server):
    answer = client().get(f"{server}/moved")
    assert (answer.status_code, answer.headers["Location"]) == (302, "/elsewhere")
    assert _Redirecting.hits == ["/moved"]  # /elsewhere was never asked for


def test_asking_to_follow_is_overridden(server):
    answer = client().get(f"{server}/moved", allow_redirects=True)
    assert answer.status_code == 302
    assert _Redirecting.hits == ["/moved"]
