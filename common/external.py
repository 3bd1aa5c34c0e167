"""The one family of errors every adapter of an external API raises (marketplaces, carriers,
e-invoice providers), so that tasks and pages treat them alike.

Each carries a stable `code` (the platform's error name or ours), the platform's `message` as
sent, and `permanent`: whether retrying can help.
    TransientError   network, timeout, 5xx, platform "busy": retry with back-off
    RateLimited      the platform's rate limit: wait `retry_after` seconds, then retry
    AuthError        the token was refused or has expired: renew it once, then retry once
    PermanentError   the request is wrong (bad parameter, not allowed): do not retry
    PayloadError     one payload (an order, an event, a field of a request) cannot be used;
                     `field` names what is wrong

An app adds its own subclasses (a marketplace's ReconnectNeeded) beside its adapters.
"""

from __future__ import annotations

from typing import ClassVar


class ExternalError(Exception):
    permanent: ClassVar[bool] = True

    def __init__(self, code: str, message: str = "", *, request_id: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.request_id = request_id


class TransientError(ExternalError):
    permanent = False


class RateLimited(TransientError):
    def __init__(
        self, code: str, message: str = "", *, retry_after: float = 1.0, request_id: str = ""
    ) -> None:
        super().__init__(code, message, request_id=request_id)
        self.retry_after = retry_after


class AuthError(ExternalError):
    """The token was refused: renew it once and retry once."""

    permanent = False


class PermanentError(ExternalError):
    pass


class PayloadError(ExternalError):
    """One payload cannot be used; `field` names what is wrong."""

    def __init__(self, code: str, message: str = "", *, field: str = "") -> None:
        super().__init__(code, message)
        self.field = field
