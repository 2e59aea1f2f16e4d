"""Checks a leave request should pass, as plain data in and findings out (messages are the caller's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from leave.calc.accrual import ServiceTimeline

LONG_PART_DAYS = 14  # art. 125: one part of the leave at least 14 calendar days

# Finding codes; the Django layer turns them into translated messages.
NO_LONG_PART = "art125_no_long_part"
BEFORE_SIX_MONTHS = "art122_before_six_months"
NOT_ENOUGH_BALANCE = "not_enough_balance"


@dataclass(frozen=True)
class Finding:
    code: str
    params: dict[str, object] = field(default_factory=dict)


def long_part_still_possible(*, entitlement: Decimal, parts: Iterable[Decimal], requested: Decimal) -> bool:
    """Art. 125: whether the working year's leave can still have one part of 14 days or more.

    True when a part already taken or booked, or the requested one, is that long, or when what is left
    of the year's entitlement after this request still allows such a part.
    """
    taken = [Decimal(p) for p in parts]
    if requested >= LONG_PART_DAYS or any(p >= LONG_PART_DAYS for p in taken):
        return True
    return Decimal(entitlement) - sum(taken, Decimal(0)) - requested >= LONG_PART_DAYS


def art125_finding(
    *,
    working_year: tuple[dt.date, dt.date],
    entitlement: Decimal,
    parts: Iterable[Decimal],
    requested: Decimal,
) -> Finding | None:
    if long_part_still_possible(entitlement=entitlement, parts=parts, requested=requested):
        return None
    return Finding(NO_LONG_PART, {"year_start": working_year[0], "year_end": working_year[1]})


def art122_finding(*, timeline: ServiceTimeline, start_date: dt.date, first_leave: bool) -> Finding | None:
    """Art. 122: the first leave is due after six months of service; earlier only by agreement (HR)."""
    due = timeline.first_leave_due()
    if first_leave and start_date < due:
        return Finding(BEFORE_SIX_MONTHS, {"due": due})
    return None
