"""The inventory packages split by what their parts do keep one import path for callers."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

import inventory.models


def test_every_inventory_model_is_importable_from_inventory_models():
    models = {model.__name__ for model in apps.get_app_config("inventory").get_models()}
    exported = {
        name
        for name in inventory.models.__all__
        if isinstance(getattr(inventory.models, name), type)
    }
    assert models <= exported
    assert {
        name: getattr(inventory.models, name).__module__.rsplit(".", 1)[0] for name in models
    } == dict.fromkeys(models, "inventory.models")


@pytest.mark.parametrize(
    "package",
    ["inventory.models", "inventory.services.catalogue", "inventory.services.purchasing"],
)
def test_every_name_a_package_exports_is_there(package):
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []
