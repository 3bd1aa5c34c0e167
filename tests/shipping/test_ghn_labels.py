"""GhnAdapter labels over real HTTP: a print token, then the print page (HTML, as GHN's)."""

from __future__ import annotations

import pytest

from common.external import PermanentError
from shipping.adapters.base import CarrierConfig
from shipping.adapters.ghn import GhnAdapter
from tests.shipping.conftest_ghn import ghn_parcel_request


def _created(adapter, n: int) -> list[str]:
    return [adapter.create(request=ghn_parcel_request(f"SO-{i}")).tracking_number for i in range(n)]


def test_label_a5_for_two_parcels(ghn_adapter, ghn_sandbox):
    first, second = _created(ghn_adapter, 2)
    label = ghn_adapter.label(tracking_numbers=[first, second])
    assert label.content_type == "text/html"
    assert label.url.startswith(f"{ghn_sandbox.root_url}/a5/public-api/printA5?token=")
    html = label.content.decode()
    assert (
        html.count('<section class="label">'),
        f"GHN {first}" in html,
        f"GHN {second}" in html,
    ) == (
        2,
        True,
        True,
    )
    assert "Thu hộ (COD): 350,000 VND" in html


@pytest.mark.parametrize(("paper", "page"), [("80x80", "print80x80"), ("52x70", "print52x70")])
def test_label_papers(ghn_adapter, ghn_sandbox, paper, page):
    (code,) = _created(ghn_adapter, 1)
    label = ghn_adapter.label(tracking_numbers=[code], paper=paper)
    assert label.url.startswith(f"{ghn_sandbox.root_url}/a5/public-api/{page}?token=")
    assert f"paper-{paper}" in label.content.decode()


def test_label_paper_not_offered(ghn_adapter):
    with pytest.raises(PermanentError) as caught:
        ghn_adapter.label(tracking_numbers=["GA000000"], paper="a6")
    assert caught.value.code == "not_supported"


def test_label_of_an_unknown_parcel(ghn_adapter):
    with pytest.raises(PermanentError) as caught:
        ghn_adapter.label(tracking_numbers=["GANOPE00"])
    assert caught.value.message.endswith("message=Đơn hàng không tồn tại")


def test_label_from_a_separate_print_host(ghn_config, ghn_sandbox):
    adapter = GhnAdapter(
        CarrierConfig(
            base_url=ghn_config.base_url,
            token=ghn_config.token,
            shop_id=ghn_config.shop_id,
            print_base_url=ghn_sandbox.root_url + "/a5/public-api",
        )
    )
    (code,) = _created(adapter, 1)
    assert code in adapter.label(tracking_numbers=[code]).content.decode()
