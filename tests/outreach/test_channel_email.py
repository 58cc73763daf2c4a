"""E-mail goes through a real SMTP server (aiosmtpd on 127.0.0.1): authenticated, multipart text
and HTML with the tracked link, and the unsubscribe headers a mail client makes a button of."""

from __future__ import annotations

import msgspec
import pytest

from livecommerce.domains.outreach.channels import Outgoing, SendResult
from livecommerce.domains.outreach.email_channel import EmailChannel, from_settings
from livecommerce.infra import db
from livecommerce.settings import Settings
from tests.outreach.smtp_server import SmtpServer

TRACKED = "http://127.0.0.1:9/o/tok-abc123"
UNSUBSCRIBE = "http://127.0.0.1:9/u/signed-xyz789"


def outgoing(user_id: int, *, title: str = "直播开始了：春季新品", lang: str = "zh-CN") -> Outgoing:
    return Outgoing(
        delivery_id=41,
        user_id=user_id,
        host_id=None,
        channel="email",
        title=title,
        body="你预约的直播开始了。\n点开就能进直播间。",
        url=TRACKED,
        unsubscribe_url=UNSUBSCRIBE,
        lang=lang,
    )


async def set_email(user_id: int, email: str) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO outreach_preferences (user_id, email) VALUES ($1, $2)"
            " ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email",
            user_id,
            email,
        )


def channel_for(settings: Settings, smtp: SmtpServer, **changes: object) -> EmailChannel:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_user": smtp.user,
        "smtp_password": smtp.password,
        "smtp_from": "好物直播间 <notice@shop.test>",
        "smtp_starttls": False,  # a local relay without TLS
        **changes,
    }
    return EmailChannel(msgspec.structs.replace(settings, **values), timeout=10)


async def test_email_is_delivered_with_the_tracked_link_and_one_click_unsubscribe(
    migrated: Settings, user_factory
) -> None:
    buyer = await user_factory("mailbuyer")
    await set_email(buyer.id, "buyer@example.com")
    async with SmtpServer() as smtp:
        result = await channel_for(migrated, smtp).send(outgoing(buyer.id))
    assert result == SendResult(delivered=True)
    [got] = smtp.delivered
    assert got.login == "mailer"  # SMTP_USER / SMTP_PASSWORD were used
    assert got.rcpt_tos == ["buyer@example.com"]
    message = got.message
    assert message["Subject"] == "直播开始了：春季新品"
    assert message["From"].addresses[0].addr_spec == "notice@shop.test"
    assert message["To"] == "buyer@example.com"
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"查看详情: {TRACKED}" in text and UNSUBSCRIBE in text
    assert f'href="{TRACKED}"' in html and f'href="{UNSUBSCRIBE}"' in html
    assert "<p>点开就能进直播间。</p>" in html


async def test_english_words_and_no_header_injection_through_the_title(
    migrated: Settings, user_factory
) -> None:
    buyer = await user_factory("mailbuyer2")
    await set_email(buyer.id, "b2@example.com")
    title = "Live now\r\nBcc: victim@example.com"
    async with SmtpServer() as smtp:
        result = await channel_for(migrated, smtp).send(outgoing(buyer.id, title=title, lang="en"))
    assert result.delivered
    [got] = smtp.delivered
    assert got.rcpt_tos == ["b2@example.com"]  # the smuggled Bcc reached nobody
    assert got.message["Bcc"] is None
    assert got.message["Subject"] == "Live now Bcc: victim@example.com"
    assert f"Open: {TRACKED}" in got.message.get_body(("plain",)).get_content()


async def test_a_user_without_an_address_gets_nothing_and_a_refusal_is_a_failure(
    migrated: Settings, user_factory
) -> None:
    nobody = await user_factory("noaddress")
    refused = await user_factory("refused")
    await set_email(refused.id, "gone@example.com")
    async with SmtpServer(refuse={"gone@example.com"}) as smtp:
        channel = channel_for(migrated, smtp)
        missing = await channel.send(outgoing(nobody.id))
        bounced = await channel.send(outgoing(refused.id))
        wrong_login = await channel_for(migrated, smtp, smtp_password="wrong").send(
            outgoing(refused.id)
        )
    assert missing == SendResult(delivered=False, error="no e-mail address")
    assert not bounced.delivered and "550" in bounced.error
    assert not wrong_login.delivered and wrong_login.error.startswith("smtp:")
    assert "535" in wrong_login.error, wrong_login.error  # refused, not timed out
    assert smtp.delivered == []


@pytest.mark.parametrize(("host", "registered"), [("", False), ("smtp.example.com", True)])
def test_the_channel_exists_only_with_an_smtp_host(
    settings: Settings, host: str, registered: bool
) -> None:
    channel = from_settings(msgspec.structs.replace(settings, smtp_host=host))
    assert (channel is not None) is registered
