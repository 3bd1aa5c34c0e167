"""The signature rules, checked with values computed by hand from each platform's formula."""

from __future__ import annotations

import base64
import hashlib
import hmac

from assistant.channels import signing

BODY = b'{"object":"page","entry":[]}'


def test_messenger_signature_is_hex_hmac_sha256_with_prefix():
    expected = "sha256=" + hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    assert signing.messenger_signature(app_secret="s3cret", body=BODY) == expected
    assert signing.messenger_verify(app_secret="s3cret", body=BODY, header=expected)
    assert not signing.messenger_verify(app_secret="s3cret", body=BODY, header=expected[7:])
    assert not signing.messenger_verify(app_secret="other", body=BODY, header=expected)
    assert not signing.messenger_verify(app_secret="", body=BODY, header=expected)


def test_zalo_signature_is_sha256_of_app_id_body_timestamp_secret():
    body = b'{"app_id":"111","event_name":"user_send_text","timestamp":"1700000000123"}'
    expected = "mac=" + hashlib.sha256(b"111" + body + b"1700000000123" + b"oa-key").hexdigest()
    assert (
        signing.zalo_signature(
            app_id="111", body=body, timestamp="1700000000123", oa_secret="oa-key"
        )
        == expected
    )
    assert signing.zalo_verify(app_id="111", oa_secret="oa-key", body=body, header=expected)
    assert not signing.zalo_verify(app_id="222", oa_secret="oa-key", body=body, header=expected)
    no_time = b'{"app_id":"111","event_name":"user_send_text"}'
    assert not signing.zalo_verify(app_id="111", oa_secret="oa-key", body=no_time, header=expected)


def test_line_signature_is_base64_hmac_sha256():
    expected = base64.b64encode(hmac.new(b"chan", BODY, hashlib.sha256).digest()).decode()
    assert signing.line_signature(channel_secret="chan", body=BODY) == expected
    assert signing.line_verify(channel_secret="chan", body=BODY, header=expected)
    assert not signing.line_verify(channel_secret="chan", body=BODY + b" ", header=expected)
    assert not signing.line_verify(channel_secret="chan", body=BODY, header="")


def test_a_messenger_body_names_its_pages_even_without_messages():
    from assistant.channels.inbound import messenger_events, messenger_pages

    body = b'{"object":"page","entry":[{"id":"111","time":1,"changes":[]},{"id":"222"}]}'
    assert messenger_pages(body) == {"111", "222"}
    assert messenger_events(body) == []
