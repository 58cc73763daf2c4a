"""A real SMTP server (aiosmtpd) on 127.0.0.1 in the test's event loop: it takes AUTH LOGIN /
PLAIN without TLS (a local test relay), refuses the recipients it is told to, and keeps every
message it accepts, parsed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str  # who authenticated ('' when nobody did)


@dataclass
class SmtpServer:
    user: str = "mailer"
    password: str = "s3cret-pass"
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    delivered: list[Delivered] = field(default_factory=list)
    port: int = 0

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (
            data.login.decode(),
            data.password.decode(),
        ) == (self.user, self.password)
        # handled=False: aiosmtpd answers a failure with 535 itself (left True, it answers
        # nothing and the client waits for its timeout).
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        auth = session.auth_data  # what the authenticator accepted
        login = ""
        if session.authenticated and isinstance(auth, LoginPassword):
            login = auth.login.decode()
        self.delivered.append(
            Delivered(str(envelope.mail_from), list(envelope.rcpt_tos), message, login)
        )
        return "250 Message accepted for delivery"

    async def __aenter__(self) -> SmtpServer:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(
                self,
                hostname="smtp.test",
                authenticator=self._authenticate,
                auth_require_tls=False,
                auth_required=True,
                decode_data=False,
            ),
            "127.0.0.1",
            0,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()
