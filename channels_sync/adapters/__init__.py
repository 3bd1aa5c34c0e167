"""One adapter module per platform behind channels_sync.adapters.base.Adapter.

`adapter_class(platform)` finds the class; modules register themselves by being listed in
ADAPTERS (imported lazily so a platform's module is loaded only when used)."""

from __future__ import annotations

from importlib import import_module

from channels_sync.adapters.base import Adapter

ADAPTERS = {
    "shopee": "channels_sync.adapters.shopee:ShopeeAdapter",
    "lazada": "channels_sync.adapters.lazada:LazadaAdapter",
}


def adapter_class(platform: str) -> type[Adapter]:
    try:
        module_name, class_name = ADAPTERS[platform].split(":")
    except KeyError:
        raise LookupError(f"No adapter for platform {platform!r}") from None
    cls: type[Adapter] = getattr(import_module(module_name), class_name)
    return cls
