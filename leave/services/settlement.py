"""Recording the leave settled on a dismissal (art. 127, rules 28 and 35, art. 137)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hrportal.errors import Conflict
from leave import selectors
from leave.models import LeaveSettlement
from staff.models import Employee

logger = logging.getLogger(__name__)


def _jsonable_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **line,
            "working_year": {k: v.isoformat() for k, v in line["working_year"].items()},
            **{k: str(line[k]) for k in ("entitled", "used", "unused")},
        }
        for line in lines
    ]


@transaction.atomic
def settlement_record(*, employee: Employee, on: dt.date, ground: str, actor: Any) -> LeaveSettlement:
    """Record the settlement of a dismissal on `on`, as computed now. Idempotent for the same ground; another
    ground for the same dismissal date is a Conflict (HR corrects the existing record, not a second one)."""
    # One employee's settlements are written one at a time.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    existing = LeaveSettlement.objects.filter(employee=employee, termination_date=on).first()
    if existing is not None:
        if existing.ground != ground:
            raise Conflict(
                _("The dismissal of %(date)s is already settled on another ground.") % {"date": on.isoformat()}
            )
        return existing
    result = selectors.settlement(employee=employee, on=on, ground=ground)
    record = LeaveSettlement.objects.create(
        employee=employee,
        termination_date=on,
        ground=ground,
        unused_days=result.unused_days,
        compensated_days=result.compensated_days,
        deductible_days=result.deductible_days,
        average_daily_earnings=result.average_daily_earnings,
        compensation=result.compensation,
        lines=_jsonable_lines(result.lines),
        notes="\n".join(result.notes),
        actor=actor,
    )
    logger.info("leave settled: employee=%s on=%s ground=%s days=%s", employee.pk, on, ground, result.compensated_days)
    return record
