"""E-mail over SMTP (aiosmtplib): a text and an HTML part with the tracked link, and the
unsubscribe headers mail clients turn into a button (RFC 2369 List-Unsubscribe; RFC 8058
one-click: the client POSTs `List-Unsubscribe=One-Click` to the signed URL, no login).

The address is the one the user gave on their notification settings (outreach_preferences);
a user without one gets no e-mail. SMTP settings come from SMTP_* (livecommerce/settings.py);
with no SMTP_HOST the channel is not registered at all (`from_settings` answers None).
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import aiosmtplib
import structlog

from livecommerce.domains.outreach.channels import Outgoing, SendResult
from livecommerce.infra import db
from livecommerce.settings import Settings

log = structlog.get_logger("outreach.email")

_WORDS = {
    "zh-CN": {
        "open": "查看详情",
        "unsubscribe": "退订此类消息",
        "why": "你收到这封邮件，是因为你同意了接收通知。",
    },
    "en": {
        "open": "Open",
        "unsubscribe": "Unsubscribe",
        "why": "You get this e-mail because you agreed to receive notifications.",
    },
}


def _one_line(text: str, limit: int) -> str:
    """A header value: no CR/LF (header injection), bounded."""
    return " ".join(text.split())[:limit]


def build_message(delivery: Outgoing, sender: str, to: str) -> EmailMessage:
    words = _WORDS.get(delivery.lang, _WORDS["zh-CN"])
    message = EmailMessage()
    message["Subject"] = _one_line(delivery.title, 200)
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"d{delivery.delivery_id}", domain=domain)
    message["List-Unsubscribe"] = f"<{delivery.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Marks it as bulk so auto-responders stay quiet (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"{delivery.body}\n\n{words['open']}: {delivery.url}\n\n"
        f"--\n{words['why']}\n{words['unsubscribe']}: {delivery.unsubscribe_url}\n"
    )
    link, unsubscribe = html.escape(delivery.url), html.escape(delivery.unsubscribe_url)
    paragraphs = "".join(
        f"<p>{html.escape(line)}</p>" for line in delivery.body.splitlines() if line.strip()
    )
    message.add_alternative(
        f'<!doctype html><html lang="{html.escape(delivery.lang)}"><body'
        ' style="font-family:sans-serif;line-height:1.5">'
        f"<h2>{html.escape(delivery.title)}</h2>{paragraphs}"
        f'<p><a href="{link}" style="display:inline-block;padding:8px 16px;background:#e4393c;'
        f'color:#fff;text-decoration:none;border-radius:4px">{words["open"]}</a></p>'
        f'<hr><p style="color:#888;font-size:12px">{html.escape(words["why"])} '
        f'<a href="{unsubscribe}">{words["unsubscribe"]}</a></p></body></html>',
        subtype="html",
    )
    return message


def _looks_like_address(address: str) -> bool:
    name, parsed = parseaddr(address)
    local, _, domain = parsed.rpartition("@")
    return bool(local) and "." in domain and parsed == address.strip() and not name


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings, *, timeout: float = 20.0) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.user = settings.smtp_user or None
        self.password = settings.smtp_password or None
        self.sender = settings.smtp_from
        # 465 is SMTP over TLS from the first byte; elsewhere STARTTLS when SMTP_STARTTLS says.
        self.implicit_tls = settings.smtp_port == 465
        self.starttls = settings.smtp_starttls and not self.implicit_tls
        self.timeout = timeout

    async def address_of(self, user_id: int) -> str:
        async with db.connection() as conn:
            value = await conn.fetchval(
                "SELECT email FROM outreach_preferences WHERE user_id = $1", user_id
            )
        return str(value or "").strip()

    async def send(self, delivery: Outgoing) -> SendResult:
        to = await self.address_of(delivery.user_id)
        if not to:
            return SendResult(delivered=False, error="no e-mail address")
        if not _looks_like_address(to):
            return SendResult(delivered=False, error="not an e-mail address")
        message = build_message(delivery, self.sender, to)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.user,
                password=self.password,
                use_tls=self.implicit_tls,
                start_tls=self.starttls,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("email_failed", delivery_id=delivery.delivery_id, error=type(exc).__name__)
            return SendResult(delivered=False, error=f"smtp: {exc}"[:300])
        return SendResult(delivered=True)


def from_settings(settings: Settings) -> EmailChannel | None:
    """The channel, or None when no SMTP server is configured (then nobody gets e-mail)."""
    return EmailChannel(settings) if settings.smtp_host else None
