"""Art. 128 and 263: unpaid leave the employer must grant, and the yearly limit of each statutory reason.

The request workflow calls `unpaid_leave_check` when an unpaid leave is filed with a reason: a mandatory reason
means the manager step acknowledges instead of deciding, and days over the reason's limit are a 400 naming it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from hrportal.errors import ValidationFailed
from leave import calc
from leave.models import Absence
from staff.models import Employee

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class UnpaidCheck:
    reason: str
    article: str
    mandatory: bool  # the employer cannot refuse: the manager acknowledges
    limit: int | None  # days a calendar year (or per event), None: by agreement
    used_this_year: Decimal  # recorded unpaid leave with this reason in the calendar year of the start
    left: Decimal | None  # before this request


def _days_in_year(start: dt.date, end: dt.date, year: int) -> int:
    first, last = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
    return max((last - first).days + 1, 0)


def unpaid_leave_check(
    *,
    employee: Employee,
    reason: str,
    start_date: dt.date,
    end_date: dt.date,
    pending_days: Decimal = ZERO,
    exclude_request_id: int | None = None,
) -> UnpaidCheck:
    """The rule of `reason` for an unpaid leave from start_date to end_date (calendar days, art. 128). Raises
    ValidationFailed naming the article for an unknown reason or days over the reason's limit. `pending_days`:
    days of this reason already requested and not yet recorded (the workflow knows them). One query."""
    rule = calc.working_year.UNPAID_REASONS.get(reason)
    if rule is None:
        raise ValidationFailed(
            f"Unknown unpaid leave reason {reason!r}; one of: {', '.join(calc.working_year.UNPAID_REASONS)} "
            "(art. 128).",
            field="unpaid_reason",
        )
    requested = Decimal((end_date - start_date).days + 1)
    year = start_date.year
    rows = Absence.objects.filter(
        employee=employee,
        kind=Absence.Kind.UNPAID,
        unpaid_reason=reason,
        cancelled_at__isnull=True,
        start_date__lte=dt.date(year, 12, 31),
        end_date__gte=dt.date(year, 1, 1),
    )
    if exclude_request_id is not None:
        rows = rows.exclude(request_id=exclude_request_id)
    used = Decimal(sum(_days_in_year(s, e, year) for s, e in rows.values_list("start_date", "end_date")))
    left = calc.working_year.unpaid_days_left(reason=reason, used_this_year=[used, Decimal(pending_days)])
    # A leave over New Year counts against each calendar year by its days in it; the start year is checked here.
    in_start_year = Decimal(_days_in_year(start_date, end_date, year))
    if left is not None and (in_start_year if not rule.per_event else requested) > left:
        raise ValidationFailed(
            f"{rule.article}: up to {rule.max_days} calendar days {'per event' if rule.per_event else 'a year'} for "
            f"this reason; {left} left, {requested} requested.",
            field="end_date",
        )
    return UnpaidCheck(
        reason=reason,
        article=rule.article,
        mandatory=rule.mandatory,
        limit=rule.max_days,
        used_this_year=used,
        left=left,
    )
