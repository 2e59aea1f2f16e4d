"""A bulk indexation (Regulation 922 item 16): raise the salary of many employees by a percentage from a date.

It files one `rate_change` request per employee, flagged `indexation`, through `services.request_create` — the
same four-eyes path as any pay change (docs/decisions/four-eyes-on-pay.md): the filer never approves it, the
managers and another HR member do. All or nothing: one refusal files none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from hrportal.errors import ValidationFailed
from requests_app.models import Request
from requests_app.services import request_create
from staff import access
from staff.models import Employee
from staff.selectors import rate_on

KOPECK = Decimal("0.01")
MAX_PERCENT = Decimal(100)


@dataclass
class IndexationResult:
    filed: list[Request] = field(default_factory=list)
    skipped: list[tuple[Employee, str]] = field(default_factory=list)  # (employee, why)


def indexed_salary(salary: Decimal, percent: Decimal) -> Decimal:
    """Salary × (1 + percent / 100), half-up to kopecks (the ruble's rounding; never below the exact figure by
    more than half a kopeck)."""
    return (salary * (1 + percent / 100)).quantize(KOPECK, rounding=ROUND_HALF_UP)


@transaction.atomic
def indexation_file(
    *, actor: Any, employees: Iterable[Employee], percent: Decimal, effective_date: dt.date, comment: str = ""
) -> IndexationResult:
    """File the indexation's rate changes. Employees the actor may not propose for (themself, above all) or
    with no rate on the date, or no longer employed then, are skipped and listed."""
    if not access.is_hr(actor):
        raise ValidationFailed("Only HR files an indexation.", field="non_field_errors")
    if not Decimal(0) < percent <= MAX_PERCENT:
        raise ValidationFailed(f"The raise is more than 0 % and at most {MAX_PERCENT} %.", field="percent")
    result = IndexationResult()
    note = comment.strip() or f"Indexation +{percent} % from {effective_date:%d.%m.%Y}"
    for employee in employees:
        rate = rate_on(employee, effective_date)
        if not access.can_change_rate(actor, employee):
            result.skipped.append((employee, "you may not propose a change of this employee's pay"))
        elif employee.termination_date is not None and employee.termination_date < effective_date:
            result.skipped.append((employee, "dismissed before the date"))
        elif rate is None:
            result.skipped.append((employee, "no pay rate on the date"))
        else:
            result.filed.append(
                request_create(
                    actor=actor,
                    kind=Request.Kind.RATE_CHANGE,
                    employee=employee,
                    effective_date=effective_date,
                    fte=rate.fte,
                    salary=indexed_salary(rate.salary, percent),
                    comment=note,
                    indexation=True,
                )
            )
    return result
