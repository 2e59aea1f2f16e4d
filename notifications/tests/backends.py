"""A scripted mail backend: each send takes the next step of `ScriptedBackend.script` (an exception or None)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class ScriptedBackend(BaseEmailBackend):
    script: ClassVar[list[BaseException | None]] = []
    sent: ClassVar[list[EmailMessage]] = []
    opened: ClassVar[int] = 0
    closed: ClassVar[int] = 0
    timeouts: ClassVar[list[Any]] = []

    def __init__(self, fail_silently: bool = False, timeout: Any = None, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        ScriptedBackend.timeouts.append(timeout)

    @classmethod
    def reset(cls, script: Sequence[BaseException | None] = ()) -> None:
        cls.script = list(script)
        cls.sent = []
        cls.opened = cls.closed = 0
        cls.timeouts = []

    def open(self) -> bool:
        ScriptedBackend.opened += 1
        return True

    def close(self) -> None:
        ScriptedBackend.closed += 1

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        step = ScriptedBackend.script.pop(0) if ScriptedBackend.script else None
        if step is not None:
            raise step
        ScriptedBackend.sent.extend(email_messages)
        return len(email_messages)


class QuitFailsBackend(ScriptedBackend):
    """Accepts the message, then the connection drops at QUIT."""

    def close(self) -> None:
        import smtplib

        raise smtplib.SMTPServerDisconnected("connection dropped after 250")
