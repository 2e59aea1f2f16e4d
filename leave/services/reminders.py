"""The monthly art. 124 reminder: the employee and HR are told of leave not used two working years running."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import IntegrityError, transaction

from leave import selectors
from leave.calc.dates import first_of_month
from leave.models import LeaveReminder
from notifications.services import notify
from staff import access

logger = logging.getLogger(__name__)

EVENT_EMPLOYEE = "leave_overdue"
EVENT_HR = "leave_overdue_hr"


def _claim(
    *, kind: str, month: dt.date, employee_id: int | None, details: list[dict[str, str]]
) -> LeaveReminder | None:
    """The month's row, created now; None when a run has already claimed it (unique constraint)."""
    try:
        with transaction.atomic():
            return LeaveReminder.objects.create(kind=kind, month=month, employee_id=employee_id, details=details)
    except IntegrityError:
        return None


@transaction.atomic
def art124_remind(*, on: dt.date) -> int:
    """Queue this month's reminders (art. 124 part 4) through the outbox; idempotent per month. Returns the
    number of reminders queued (employees, plus one HR digest)."""
    month = first_of_month(on)
    overdue = selectors.overdue_leave(on=on)
    by_employee: dict[int, list[selectors.OverdueLeave]] = defaultdict(list)
    for item in overdue:
        by_employee[item.employee.pk].append(item)
    queued = 0
    for items in by_employee.values():
        employee = items[0].employee
        details = [
            {
                "leave_type": i.leave_type,
                "start": i.year_start.isoformat(),
                "end": i.year_end.isoformat(),
                "days": str(i.days),
            }
            for i in items
        ]
        reminder = _claim(
            kind=LeaveReminder.Kind.ART124_EMPLOYEE, month=month, employee_id=employee.pk, details=details
        )
        if reminder is None:
            continue
        notify(
            event=EVENT_EMPLOYEE, obj=reminder, recipients=[employee], context={"items": items, "employee": employee}
        )
        queued += 1
    if overdue:
        details = [
            {
                "employee": str(i.employee.pk),
                "leave_type": i.leave_type,
                "start": i.year_start.isoformat(),
                "days": str(i.days),
            }
            for i in overdue
        ]
        digest = _claim(kind=LeaveReminder.Kind.ART124_HR, month=month, employee_id=None, details=details)
        if digest is not None:
            notify(event=EVENT_HR, obj=digest, recipients=list(access.hr_employees()), context={"items": overdue})
            queued += 1
    logger.info("art. 124 reminders for %s: %s queued, %s overdue years", month, queued, len(overdue))
    return queued
