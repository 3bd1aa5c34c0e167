"""One TikTok consent for two shops, in Chromium in Vietnamese and Thai: "Connect a shop" goes
through the TikTok sandbox's consent (both shops granted) and back; both shops are listed, and
the message names them. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from channels_sync.models import ChannelAccount
from channels_sync.sandbox.tiktok import TikTokSandbox
from channels_sync.services.accounts import app_save

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]
MESSAGES = {
    "vi-VN": "Đã kết nối 2 gian hàng",
    "th-TH": "เชื่อมต่อ 2 ร้านแล้ว",
}


@pytest.mark.parametrize("locale", list(MESSAGES))
def test_one_consent_connects_both_shops(live_server, signed_in, make_user, artifacts, locale):
    sandbox = TikTokSandbox(auto_authorize=True)
    sandbox.add_shop("7494049642642441621", "Áo Thun Sài Gòn", "VN")
    sandbox.add_shop("7494049642642441622", "Bangkok Tees", "TH")
    sandbox.start()
    try:
        app = app_save(
            platform="tiktok",
            name="TikTok",
            app_key="29a39d",
            app_secret="e59af819cc",
            api_base_url=sandbox.base_url,
        )
        sandbox.add_app("29a39d", "e59af819cc", f"{live_server.url}/marketplaces/{app.pk}/callback")
        make_user("owner", username="chu", first_name="Chủ")
        page = signed_in("chu", next_url="/marketplaces/", locale=locale)
        page.get_by_role(
            "button", name={"vi-VN": "Kết nối gian hàng", "th-TH": "เชื่อมต่อร้าน"}[locale]
        ).click()
        page.wait_for_selector(".toast", timeout=10000)
        expect(page.get_by_text(MESSAGES[locale])).to_be_visible()
        expect(page.get_by_text("Bangkok Tees").first).to_be_visible()
        assert ChannelAccount.objects.count() == 2
        page.screenshot(path=str(artifacts / f"tiktok-two-shops-{locale[:2]}.png"), full_page=True)
    finally:
        sandbox.stop()
