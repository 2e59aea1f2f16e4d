"""A real SMTP server for the tests: aiosmtpd on a free loopback port that records what it accepts and fails on
demand.

Its handler follows a plan, one step per delivery, then accepts again:

- "refuse": 451 at DATA; "refuse_rcpt": 451 at RCPT; "reject": 550 at DATA;
- "hang": hold DATA (the envelope and the data are read, the final dot is never answered);
- "hang_greeting": accept the connection and say nothing at all (no 220 greeting).

A held delivery ends with `release()` (451 after DATA; the connection closed before a greeting) or when the
client goes away: its own timeout, or a killed worker. `holds` counts the holds so far, `holding` those now,
`lost` those whose client went away.

    with SMTPServer() as smtp:
        smtp.handler.hang_next(1)
        env = smtp.env()  # EMAIL_HOST, EMAIL_PORT, ... for a process that should send here
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.header
import email.message
import email.policy
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.harness.util import free_port

TRY_LATER = "451 4.3.0 try later"
NO_SUCH_USER = "550 5.1.1 no such user"


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    message: email.message.EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        """The Subject as a mail client shows it. A subject too long for the header's first line is folded
        before its first encoded word ("Subject:", a line break, " =?utf-8?b?...?="), and the default policy
        keeps that folding space as text (" Заявка № 1126 ..."); so unfold (RFC 5322 2.2.3), drop the space
        after the colon, then decode the encoded words (RFC 2047)."""
        raw = next((value for name, value in self.message.raw_items() if name.lower() == "subject"), "")
        unfolded = re.sub(r"\r?\n(?=[ \t])", "", str(raw)).lstrip(" \t")
        return str(email.header.make_header(email.header.decode_header(unfolded)))

    @property
    def outbox_id(self) -> int | None:
        value = self.message.get("X-HRPortal-Outbox-Id")
        return int(value) if value else None

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    def attachment_names(self) -> list[str]:
        return [part.get_filename() or "" for part in self.message.iter_attachments()]


class SMTPHandler:
    """An aiosmtpd handler with a plan: the next deliveries are refused, rejected or held, then accepted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.messages: list[ReceivedMessage] = []
        self.plan: deque[str] = deque()
        self.data_calls = 0
        self.refused = 0
        self.holds = 0  # deliveries held so far (at DATA or before the greeting)
        self.holding = 0  # deliveries held right now
        self.lost = 0  # held deliveries whose client went away

    # Test-facing controls.
    def refuse_next(self, count: int) -> None:
        self._extend("refuse", count)

    def refuse_rcpt_next(self, count: int) -> None:
        self._extend("refuse_rcpt", count)

    def reject_next(self, count: int) -> None:
        self._extend("reject", count)

    def hang_next(self, count: int = 1) -> None:
        """Hold the next `count` DATA commands unanswered."""
        self._release.clear()
        self._extend("hang", count)

    def hang_greeting_next(self, count: int = 1) -> None:
        """Accept the next `count` connections and never greet them: a mail server that hangs outright."""
        self._release.clear()
        self._extend("hang_greeting", count)

    def release(self) -> None:
        self._release.set()

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.plan.clear()
            self.data_calls = self.refused = self.holds = self.lost = 0
        self._release.set()

    def _extend(self, step: str, count: int) -> None:
        with self._lock:
            self.plan.extend([step] * count)

    def next_step(self, kinds: tuple[str, ...]) -> str:
        """The plan's next step if it is one of `kinds` (taken off the plan), else "accept"."""
        with self._lock:
            if self.plan and self.plan[0] in kinds:
                return self.plan.popleft()
            return "accept"

    async def hold(self) -> None:
        """Wait for `release()`; a client that goes away cancels this (aiosmtpd cancels the session's task)."""
        with self._lock:
            self.holds += 1
            self.holding += 1
        try:
            while not self._release.is_set():
                await asyncio.sleep(0.02)
        except asyncio.CancelledError:
            with self._lock:
                self.lost += 1
            raise
        finally:
            with self._lock:
                self.holding -= 1

    def _refused(self, reply: str) -> str:
        with self._lock:
            self.refused += 1
        return reply

    # aiosmtpd hooks.
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.next_step(("refuse_rcpt",)) == "refuse_rcpt":
            return self._refused(TRY_LATER)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.data_calls += 1
        step = self.next_step(("refuse", "reject", "hang"))
        if step == "refuse":
            return self._refused(TRY_LATER)
        if step == "reject":
            return self._refused(NO_SUCH_USER)
        if step == "hang":
            await self.hold()
            return TRY_LATER
        data = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.messages.append(
                ReceivedMessage(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    data=data,
                    message=parsed,  # type: ignore[arg-type]
                )
            )
        return "250 Message accepted for delivery"


class _PlannedSMTP(SMTP):
    """aiosmtpd's session, silent from the start when the handler's plan says "hang_greeting"."""

    event_handler: SMTPHandler

    async def _handle_client(self) -> None:
        # aiosmtpd has no hook before its 220 greeting: the session coroutine itself is the place.
        if self.event_handler.next_step(("hang_greeting",)) == "hang_greeting":
            await self.event_handler.hold()
            if self.transport is not None:
                self.transport.close()
            return
        await super()._handle_client()


class _PlannedController(Controller):
    def factory(self) -> SMTP:
        return _PlannedSMTP(self.handler, **self.SMTP_kwargs)


class SMTPServer:
    """aiosmtpd on a free loopback port. `with SMTPServer() as smtp: smtp.port, smtp.handler, smtp.messages`."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port()
        self.handler = SMTPHandler()
        self.controller = _PlannedController(self.handler, hostname=host, port=self.port, ready_timeout=10)

    @property
    def messages(self) -> list[ReceivedMessage]:
        return list(self.handler.messages)

    def count_by_outbox_id(self) -> dict[int | None, int]:
        counts: dict[int | None, int] = {}
        for received in self.messages:
            counts[received.outbox_id] = counts.get(received.outbox_id, 0) + 1
        return counts

    def env(self) -> dict[str, str]:
        """The EMAIL_* settings of a process that should send here."""
        return {
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release()
        with contextlib.suppress(Exception):
            self.controller.stop()

    def __enter__(self) -> SMTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
