"""Outbound HTTP to external platforms (marketplaces, carriers, e-invoice providers): every call
goes through `client()`, a requests.Session with

- timeouts on every request (connect, read), so a hung platform never holds a worker;
- no redirects followed (an API answering with a redirect is an error to see, not to follow
  with our credentials): the 3xx response itself comes back, for the adapter to refuse
  (requests' max_redirects stays at its default: set to 0 it would raise TooManyRedirects on
  every 3xx, even unfollowed);
- a User-Agent naming the product;
- `redacted()` for logs and stored errors: query parameters and JSON fields that carry secrets
  (sign, access_token, refresh_token, partner_key, app_secret...) are replaced by "***".
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
SECRET_NAMES = frozenset(
    {
        "sign",
        "signature",
        "access_token",
        "refresh_token",
        "partner_key",
        "app_secret",
        "client_secret",
        "password",
        "token",
        "code",
        "authorization",
    }
)
_JSON_SECRET = re.compile(
    r'("(?:' + "|".join(sorted(SECRET_NAMES)) + r')"\s*:\s*)"[^"]*"', re.IGNORECASE
)


class _Session(requests.Session):
    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self._timeout = timeout
        self.headers["User-Agent"] = "shop-crm/1 (+order management)"
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self._timeout)
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


def client(*, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> requests.Session:
    """A session for one external account (reuse it: it keeps connections open)."""
    return _Session(timeout)


def redacted(text: str) -> str:
    """A URL or JSON text with the values of secret-bearing names replaced by ***."""
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        query = [
            (k, "***" if k.lower() in SECRET_NAMES else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        return urlunsplit(parts._replace(query=urlencode(query, safe="*,")))
    return _JSON_SECRET.sub(r'\1"***"', text)
