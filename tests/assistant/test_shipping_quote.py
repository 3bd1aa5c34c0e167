"""The shipping-fee tool quotes through a carrier account over real HTTP (GHN sandbox) and
falls back to the shop's flat rule, saying which."""

from __future__ import annotations

import pytest

from assistant.models import Conversation
from assistant.tools import ToolContext, shipping_fee_estimate
from tests.assistant.conftest import NOW
from tests.shipping.conftest_ghn import *  # noqa: F403
from tests.shipping.conftest_ship import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(db) -> ToolContext:
    conversation = Conversation.objects.create(channel="web", external_user_id="s1")
    return ToolContext(conversation.pk, 1, NOW)


def test_carrier_quote_when_an_account_can_quote_the_route(ctx, ghn_account, settings):
    settings.ASSISTANT_SHIPPING_FLAT_FEE = "30000"
    result = shipping_fee_estimate(
        ctx,
        province="TP. Đà Nẵng",
        district="Quận Hải Châu",
        ward="Phường Thạch Thang",
        weight_grams=1200,
        goods_value="300000",
    )
    assert result.ok
    assert (result.data["source"], result.data["carrier"], result.data["currency"]) == (
        "carrier",
        "GHN Quận 1",
        "VND",
    )
    # The sandbox's GHN fee for Quận 1 -> Đà Nẵng, a 20 cm box (1.6 kg converted weight).
    assert (result.data["fee"], result.data["service"]) == (
        "45000",
        "Chuyển phát thương mại điện tử",
    )


def test_flat_rule_when_the_carrier_cannot_resolve_the_place(ctx, ghn_account, settings):
    settings.ASSISTANT_SHIPPING_FLAT_FEE = "30000"
    settings.ASSISTANT_FREE_SHIPPING_FROM = None
    result = shipping_fee_estimate(ctx, province="Atlantis", ward="Nowhere")
    assert result.data == {"source": "flat", "fee": "30000", "currency": "VND"}
