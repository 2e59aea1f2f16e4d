"""The classifier and the retry schedule (notifications/retry.py): pure functions, no database."""

from __future__ import annotations

import itertools
import smtplib
import socket

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from hypothesis import given
from hypothesis import strategies as st

from notifications.retry import JITTER_FRACTION, PERMANENT, TRANSIENT, classify, retry_delay, retry_floor

MINUTE = 60.0
BASE, CAP, MAX_AGE = 1 * MINUTE, 30 * MINUTE, 24 * 60 * MINUTE  # settings.py's defaults


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        # The network and the session: the server is down or unwell, the message is not at fault.
        (ConnectionRefusedError(111, "Connection refused"), TRANSIENT),  # issue 23's outage
        (ConnectionResetError(104, "Connection reset by peer"), TRANSIENT),
        (TimeoutError("timed out"), TRANSIENT),
        (OSError(101, "Network is unreachable"), TRANSIENT),
        (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), TRANSIENT),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), TRANSIENT),  # our EMAIL_HOST
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), TRANSIENT),
        (smtplib.SMTPConnectError(421, b"4.3.2 too busy"), TRANSIENT),
        (smtplib.SMTPConnectError(554, b"no SMTP service here"), TRANSIENT),
        (smtplib.SMTPHeloError(501, b"bad HELO"), TRANSIENT),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), TRANSIENT),  # fix the password, keep mail
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), TRANSIENT),
        (SoftTimeLimitExceeded(), TRANSIENT),
        # 4xx replies about the message: later.
        (smtplib.SMTPDataError(451, b"4.3.0 try later"), TRANSIENT),
        (smtplib.SMTPRecipientsRefused({"a@example.test": (450, b"4.2.1 mailbox busy")}), TRANSIENT),
        (smtplib.SMTPSenderRefused(421, b"4.7.0 later", "hr@example.test"), TRANSIENT),
        # 5xx replies about the message, and addresses that cannot be sent to: never.
        (smtplib.SMTPRecipientsRefused({"a@example.test": (550, b"5.1.1 no such user")}), PERMANENT),
        (smtplib.SMTPDataError(554, b"5.7.1 message rejected"), PERMANENT),
        (smtplib.SMTPSenderRefused(552, b"5.3.4 message too big", "hr@example.test"), PERMANENT),
        (ValueError('Invalid address "ivanov@"'), PERMANENT),  # Django's sanitize_address
        (UnicodeEncodeError("ascii", "иванов", 0, 1, "not ascii"), PERMANENT),
        (RuntimeError("a bug"), PERMANENT),
    ],
)
def test_errors_are_classified(error: BaseException, kind: str) -> None:
    assert classify(error).kind == kind


def test_a_refusal_keeps_the_smtp_code_and_text() -> None:
    verdict = classify(smtplib.SMTPRecipientsRefused({"ivanov@corp.example": (550, b"5.1.1 no such user")}))
    assert verdict.reason == "SMTPRecipientsRefused: 550 5.1.1 no such user <ivanov@corp.example>"
    assert classify(smtplib.SMTPDataError(554, b"5.7.1 spam")).reason == "SMTPDataError: 554 5.7.1 spam"
    assert classify(smtplib.SMTPDataError(451, "x" * 5000)).reason.startswith("SMTPDataError: 451 xxx")
    assert len(classify(smtplib.SMTPDataError(451, "x" * 5000)).reason) == 2000


def test_the_floor_doubles_from_a_minute_to_half_an_hour() -> None:
    floors = [retry_floor(n, base=BASE, cap=CAP) / MINUTE for n in range(1, 10)]
    assert floors == [1, 2, 4, 8, 16, 30, 30, 30, 30]
    assert retry_floor(10_000, base=BASE, cap=CAP) == CAP  # no overflow, however long the outage
    assert retry_floor(3, base=0, cap=CAP) == 0  # a test's "no wait"


@given(failed=st.integers(min_value=1, max_value=200), rand=st.floats(min_value=0, max_value=1))
def test_jitter_is_small_and_never_below_the_floor(failed: int, rand: float) -> None:
    floor = retry_floor(failed, base=BASE, cap=CAP)
    delay = retry_delay(failed, base=BASE, cap=CAP, rand=lambda: rand)
    assert floor <= delay <= floor * (1 + JITTER_FRACTION)


def attempt_times(rand: float, attempts: int) -> list[float]:
    """When each attempt starts, counted from the first, if every one of them fails transiently."""
    times, now = [0.0], 0.0
    for failed in range(1, attempts):
        now += retry_delay(failed, base=BASE, cap=CAP, rand=lambda: rand)
        times.append(now)
    return times


@pytest.mark.parametrize("rand", [0.0, 0.5, 1.0])
def test_five_attempts_take_at_least_a_quarter_of_an_hour(rand: float) -> None:
    # Issue 23: full jitter let one message burn five attempts in 52 s. The floor makes it 1+2+4+8 minutes.
    assert attempt_times(rand, 5)[-1] >= 15 * MINUTE > 52


def test_a_day_of_outage_is_about_fifty_attempts() -> None:
    # 1+2+4+8+16 minutes, then one every half hour: ~52 tries in 24 h; at most 10 % fewer with jitter.
    for rand in (0.0, 1.0):
        within_a_day = list(itertools.takewhile(lambda t: t <= MAX_AGE, attempt_times(rand, 100)))
        assert 45 <= len(within_a_day) <= 53, (rand, len(within_a_day))
