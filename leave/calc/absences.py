"""What each kind of absence counts toward: the service that earns annual leave (art. 121) and the
12-month period of average earnings (Regulation No. 922 item 5). Plain constants, no Django.

The Django model's choices (`leave.models.Absence.Kind`) use these codes; a test checks both agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from leave.calc.accrual import ServiceTimeline, excluded_service_days

LEAVE = "leave"
BUSINESS_TRIP = "business_trip"
SICK = "sick"
UNPAID = "unpaid"
MATERNITY = "maternity"
CHILD_CARE = "child_care"
ABSENCE_WITHOUT_CAUSE = "no_good_cause"
SUSPENSION = "suspension"

# How an absence counts toward the service that earns annual leave (art. 121).
COUNTS = "counts"
FIRST_14_DAYS = "first_14_days"  # unpaid leave: 14 calendar days a working year count, the rest do not
EXCLUDED = "excluded"


@dataclass(frozen=True)
class AbsenceRule:
    service: str  # COUNTS, FIRST_14_DAYS or EXCLUDED (art. 121)
    in_pay_period: bool  # whether its days stay in the 12-month earnings period (Regulation 922 item 5)
    basis: str


ABSENCE_RULES: dict[str, AbsenceRule] = {
    # Annual leave and business trips keep average earnings: service (art. 121 part 1), out of the pay
    # period with their pay (item 5 "a").
    LEAVE: AbsenceRule(COUNTS, False, "art. 121 p. 1; Reg. 922 item 5a"),
    BUSINESS_TRIP: AbsenceRule(COUNTS, False, "art. 121 p. 1, art. 167; Reg. 922 item 5a"),
    # Sick leave: time of temporary incapacity counts (art. 121 lists it among time kept); item 5 "b".
    SICK: AbsenceRule(COUNTS, False, "art. 121 p. 1; Reg. 922 item 5b"),
    # Maternity leave (art. 255): counted as service by art. 121 part 1 ("time not worked but kept…")
    # and art. 260 grants the annual leave right after it; item 5 "b".
    MATERNITY: AbsenceRule(COUNTS, False, "art. 255, 121, 260; Reg. 922 item 5b"),
    # Unpaid leave at the employee's request: 14 days a working year count (art. 121); item 5 "e".
    UNPAID: AbsenceRule(FIRST_14_DAYS, False, "art. 121 p. 1, 128; Reg. 922 item 5e"),
    # Child-care leave until the child is three: not service for annual leave (art. 121 part 2, 256 part 3);
    # released from work without pay: out of the pay period (item 5 "e").
    CHILD_CARE: AbsenceRule(EXCLUDED, False, "art. 121 p. 2, 256; Reg. 922 item 5e"),
    # Absence without good cause: not service (art. 121 part 2). Item 5 does not list it, so its days stay
    # in the pay period (with no earnings for them).
    ABSENCE_WITHOUT_CAUSE: AbsenceRule(EXCLUDED, True, "art. 121 p. 2; not in Reg. 922 item 5"),
    # Suspension under art. 76 (e.g. appearing drunk, no mandatory training by the employee's fault): art. 121
    # part 2 excludes it; released from work without pay, so out of the pay period (item 5 "e").
    SUSPENSION: AbsenceRule(EXCLUDED, False, "art. 76, 121 p. 2; Reg. 922 item 5e"),
}

KINDS = tuple(ABSENCE_RULES)


def service_timeline(
    *,
    hire_date: dt.date,
    absences: Iterable[tuple[str, dt.date, dt.date]],
    termination_date: dt.date | None = None,
) -> ServiceTimeline:
    """The service timeline of art. 121 from (kind, start, end) absences: every exclusion shifts it."""
    unpaid: list[tuple[dt.date, dt.date]] = []
    excluded: list[tuple[dt.date, dt.date]] = []
    for kind, start, end in absences:
        rule = ABSENCE_RULES[kind].service
        if rule == FIRST_14_DAYS:
            unpaid.append((start, end))
        elif rule == EXCLUDED:
            excluded.append((start, end))
    return ServiceTimeline(
        hire_date=hire_date,
        excluded_days=excluded_service_days(hire_date=hire_date, unpaid_periods=unpaid, excluded_periods=excluded),
        termination_date=termination_date,
    )


def out_of_pay_period(absences: Iterable[tuple[str, dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """The periods left out of the earnings period with their pay (Regulation 922 item 5)."""
    return [(start, end) for kind, start, end in absences if not ABSENCE_RULES[kind].in_pay_period]
