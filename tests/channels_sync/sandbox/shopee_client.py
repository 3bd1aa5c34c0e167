"""A tiny signing client for driving the Shopee sandbox in tests (no adapter involved)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from channels_sync.sandbox.shopee import ShopeeSandbox
from tests.channels_sync.conftest import SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY

SHOP_ID = 727720655


def sign(key: str, base: str | bytes) -> str:
    data = base.encode() if isinstance(base, str) else base
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


class Client:
    def __init__(
        self,
        sandbox: ShopeeSandbox,
        partner_id: int = SHOPEE_PARTNER_ID,
        key: str = SHOPEE_PARTNER_KEY,
    ) -> None:
        self.sandbox, self.partner_id, self.key = sandbox, partner_id, key
        self.access_token = self.refresh_token = ""
        self.shop_id = SHOP_ID

    def _ts(self, ts: int | None) -> int:
        return int(self.sandbox.now()) if ts is None else ts

    def public(
        self,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        ts: int | None = None,
        params: dict[str, Any] | None = None,
        sign_with: str | None = None,
    ) -> requests.Response:
        stamp = self._ts(ts)
        query = {
            "partner_id": self.partner_id,
            "timestamp": stamp,
            "sign": sign(sign_with or self.key, f"{self.partner_id}{path}{stamp}"),
            **(params or {}),
        }
        return self._send(path, query, body)

    def shop(
        self,
        path: str,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        body: dict[str, Any] | None = None,
        *,
        ts: int | None = None,
        token: str | None = None,
    ) -> requests.Response:
        stamp, token = self._ts(ts), token or self.access_token
        base = f"{self.partner_id}{path}{stamp}{token}{self.shop_id}"
        common = [
            ("partner_id", self.partner_id),
            ("timestamp", stamp),
            ("access_token", token),
            ("shop_id", self.shop_id),
            ("sign", sign(self.key, base)),
        ]
        extra = list(params.items()) if isinstance(params, dict) else list(params or [])
        return self._send(path, common + extra, body)

    def _send(self, path: str, query: Any, body: dict[str, Any] | None) -> requests.Response:
        url = self.sandbox.base_url + path
        if body is None:
            return requests.get(url, params=query, timeout=10)
        raw = json.dumps(body).encode()
        return requests.post(
            url, params=query, data=raw, timeout=10, headers={"Content-Type": "application/json"}
        )

    def auth_code(self, shop_id: int = SHOP_ID) -> str:
        path = "/api/v2/shop/auth_partner"
        stamp = self._ts(None)
        query = {
            "partner_id": self.partner_id,
            "timestamp": stamp,
            "sign": sign(self.key, f"{self.partner_id}{path}{stamp}"),
            "redirect": "https://crm.example.com/channels/shopee/callback",
        }
        answer = requests.post(
            self.sandbox.base_url + path,
            params=query,
            data={"shop_id": str(shop_id)},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302
        location = urlsplit(answer.headers["Location"])
        got = parse_qs(location.query)
        assert got["shop_id"] == [str(shop_id)]
        return got["code"][0]

    def connect(self, shop_id: int = SHOP_ID) -> dict[str, Any]:
        self.shop_id = shop_id
        code = self.auth_code(shop_id)
        answer = self.public(
            "/api/v2/auth/token/get",
            {"code": code, "shop_id": shop_id, "partner_id": self.partner_id},
        )
        data = answer.json()
        assert data["error"] == "", data
        self.access_token, self.refresh_token = data["access_token"], data["refresh_token"]
        return data


class Receiver:
    """A tiny webhook receiver: records (headers, raw body) and answers `status`."""

    def __init__(self, status: int = 204) -> None:
        self.status, self.received = status, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), raw))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/shopee"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def now() -> int:
    return int(time.time())
