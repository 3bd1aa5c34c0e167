"""The adapter of a carrier account: which class speaks to which carrier, and the
CarrierConfig built from an account's stored (decrypted) settings."""

from __future__ import annotations

import importlib
import inspect
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from shipping.adapters.base import CarrierAdapter, CarrierConfig
from shipping.models import Carrier, CarrierAccount

# carrier code -> the module holding its adapter (one CarrierAdapter subclass per module).
ADAPTER_MODULES = {
    Carrier.GHN.value: "shipping.adapters.ghn",
    Carrier.VIETTEL_POST.value: "shipping.adapters.viettel_post",
}

DEFAULT_TIMEOUT = (5.0, 30.0)


def adapter_class(carrier: str) -> type[CarrierAdapter]:
    module = importlib.import_module(ADAPTER_MODULES[carrier])
    for _name, value in inspect.getmembers(module, inspect.isclass):
        if (
            issubclass(value, CarrierAdapter)
            and not inspect.isabstract(value)
            and getattr(value, "carrier", None) == carrier
        ):
            return value
    raise LookupError(f"no adapter for carrier {carrier!r} in {module.__name__}")


def _now() -> datetime:
    return timezone.now()


def account_token_keep(*, account_id: int, token: str) -> None:
    """Keep a token the carrier gave the adapter by itself (Viettel Post's re-login after an
    expired token, carriers_einvoice.md B.2), so the next call does not log in again."""
    CarrierAccount.objects.filter(pk=account_id).update(token=token, connected_at=_now())


def account_config(account: CarrierAccount, *, token: str | None = None) -> CarrierConfig:
    timeout = getattr(settings, "SHIPPING_CARRIER_TIMEOUT", DEFAULT_TIMEOUT)
    account_id = account.pk
    return CarrierConfig(
        base_url=account.base_url.rstrip("/"),
        token=account.token if token is None else token,
        shop_id=account.shop_id,
        username=account.username,
        password=account.password,
        print_base_url=account.print_base_url,
        clock=_now,
        timeout=(float(timeout[0]), float(timeout[1])),
        on_token=(
            (lambda renewed: account_token_keep(account_id=account_id, token=renewed))
            if account_id is not None
            else None
        ),
    )


def adapter_for(account: CarrierAccount) -> CarrierAdapter:
    return adapter_class(account.carrier)(account_config(account))
