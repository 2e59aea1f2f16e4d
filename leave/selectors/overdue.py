"""Art. 124 part 4: leave not granted two working years running, for HR's list and the monthly reminder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from leave import calc
from leave.selectors.balances import (
    _ledger_sums,
    _Sums,
    balance_types,
    service_absences,
    timeline_for,
    yearly_entitlement,
)
from staff.models import Employee


@dataclass(frozen=True)
class OverdueLeave:
    employee: Employee
    leave_type: str
    year_start: dt.date
    year_end: dt.date
    days: Decimal  # days of that working year still unused once the year after next has opened


def overdue_leave(*, on: dt.date, employees: list[Employee] | None = None) -> list[OverdueLeave]:
    """Every active employee's working years whose leave was neither used in them nor in the next one (art. 124
    part 3 allows one year's move), oldest days used first. Four queries whatever the number of employees."""
    if employees is None:
        employees = list(
            Employee.objects.filter(hire_date__lte=on)
            .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=on))
            .select_related("position")
            .order_by("last_name", "first_name", "pk")
        )
    ids = [e.pk for e in employees]
    sums = _ledger_sums(employee_ids=ids, on=on)
    absences = service_absences(employee_ids=ids)
    types = balance_types()
    result = []
    for employee in employees:
        timeline = timeline_for(employee=employee, absences=absences.get(employee.pk, []))
        for leave_type in types:
            yearly = yearly_entitlement(employee=employee, leave_type=leave_type)
            if yearly <= 0:
                continue
            type_sums = sums.get((employee.pk, leave_type.pk), _Sums())
            # Booked leave counts as granted (pending or approved: it is scheduled); a negative HR correction takes
            # days away like a use; extra days HR grants belong to no working year and are left out.
            consumed = -(type_sums.use + type_sums.reserve + type_sums.release) - min(type_sums.adjustment_on, 0)
            for year, days in calc.working_year.overdue_years(
                timeline=timeline, on=on, yearly_days=yearly, consumed=consumed
            ):
                result.append(OverdueLeave(employee, leave_type.code, year.start, year.end, days))
    return result
