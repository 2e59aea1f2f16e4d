"""Which send errors are worth retrying, and when to try again. Pure: no Django, no database.

docs/decisions/0008-mail-retry-schedule.md says why the lines are drawn where they are. In short:

- **permanent** — the server refused *this message* for good: a 5xx reply to RCPT (no such user) or to DATA
  (content rejected), a 5xx to MAIL FROM (e.g. 552 too big), or an address that cannot be written on the
  envelope at all. Retrying cannot help; the row ends `failed` with the reason.
- **transient** — everything else that stops a send: the network (refused, reset, unreachable, timed out,
  DNS), the session (disconnected, greeting/HELO/AUTH/STARTTLS refused: the relay or our configuration, not
  the message), any 4xx reply, the task's soft time limit. The message waits and is tried again.
"""

from __future__ import annotations

import random
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from celery.exceptions import SoftTimeLimitExceeded

Kind = Literal["transient", "permanent"]
TRANSIENT: Kind = "transient"
PERMANENT: Kind = "permanent"

# Retries land at most this fraction of the delay *after* the floor, never before it: enough to spread a
# burst queued in one second, too little to bunch attempts together the way full jitter did (issue 23: five
# attempts in 52 s).
JITTER_FRACTION = 0.1

# SMTP errors raised before any command about this message was answered: the server or the session failed.
_SESSION_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
)


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    reason: str  # what the row and the admin show: the SMTP code and text when there is one

    @property
    def transient(self) -> bool:
        return self.kind == TRANSIENT


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _reply(code: int, message: bytes | str) -> str:
    return f"{code} {_text(message)}".strip()


def classify(exc: BaseException) -> Verdict:
    """Transient or permanent, with a reason of at most 2000 characters."""
    name = exc.__class__.__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = sorted(exc.recipients.items())
        reason = "; ".join(f"{_reply(code, text)} <{address}>" for address, (code, text) in replies)
        # One recipient per message here; with several, one that may still accept is worth a retry.
        kind = TRANSIENT if any(not 500 <= code < 600 for _, (code, _text_) in replies) else PERMANENT
        return Verdict(kind, f"{name}: {reason}"[:2000])
    if isinstance(exc, _SESSION_ERRORS):
        return Verdict(TRANSIENT, f"{name}: {_session_reason(exc)}"[:2000])
    if isinstance(exc, smtplib.SMTPResponseException):  # MAIL FROM or DATA answered with an error
        kind = PERMANENT if 500 <= exc.smtp_code < 600 else TRANSIENT
        return Verdict(kind, f"{name}: {_reply(exc.smtp_code, exc.smtp_error)}"[:2000])
    if isinstance(exc, smtplib.SMTPException):  # a reply smtplib could not make sense of: the server's doing
        return Verdict(TRANSIENT, f"{name}: {exc}"[:2000])
    if isinstance(exc, socket.gaierror):
        # A name that does not resolve is our EMAIL_HOST or the resolver, never the message: keep it.
        return Verdict(TRANSIENT, f"{name}: {exc}"[:2000])
    if isinstance(exc, OSError | SoftTimeLimitExceeded):  # refused, reset, unreachable, timed out
        return Verdict(TRANSIENT, f"{name}: {exc}"[:2000])
    # ValueError (Django's "Invalid address"), UnicodeError (an address that cannot be encoded), and anything
    # else we do not know: retrying the same input cannot succeed.
    return Verdict(PERMANENT, f"{name}: {exc}"[:2000])


def _session_reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return str(exc)


def retry_floor(failed_attempts: int, *, base: float, cap: float) -> float:
    """Seconds to wait after the n-th failed attempt in a row (n ≥ 1): base, 2·base, 4·base, … capped."""
    exponent = max(failed_attempts - 1, 0)
    if base <= 0:
        return 0.0
    # 2 ** exponent grows without bound; past 64 doublings any sane cap has long been reached.
    return float(min(base * 2 ** min(exponent, 64), cap))


def retry_delay(failed_attempts: int, *, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """The floor plus up to JITTER_FRACTION of it: never earlier than the floor, at most 10 % later."""
    floor = retry_floor(failed_attempts, base=base, cap=cap)
    return floor + floor * JITTER_FRACTION * rand()
