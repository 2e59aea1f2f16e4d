"""What every report kind shares: its parameters, who may run reports, and the employee scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from staff import access
from staff.models import Department


@dataclass(frozen=True)
class ReportParams:
    """`user` None means the operator's full view (the `export_report` command without --user)."""

    user: Any
    date_from: dt.date
    date_to: dt.date
    department_id: int | None = None
    language: str | None = None

    @property
    def lang(self) -> str:
        return self.language or settings.LANGUAGE_CODE


def may_run_reports(user: Any) -> bool:
    """HR, and managers (department heads, deputies while a delegation runs, override managers).

    An employee who manages nobody may not run reports (CONTRACT: an employee is refused)."""
    return access.is_active_user(user) and (access.is_hr(user) or access.manages_anyone(user))


def scope_q(params: ReportParams, prefix: str = "employee") -> Q:
    """Rows of the employees the report may show, over a model with an `employee` FK (or over Employee
    itself with prefix ""): HR everyone, anyone else the employees `staff.access.visible_employees` gives
    them — for a manager their subtree — narrowed to a department's subtree when one is given."""
    lookup = f"{prefix}__" if prefix else ""
    q = Q()
    user = params.user
    if user is not None and not access.is_hr(user):
        q &= Q(**{f"{lookup}pk__in": access.visible_employees(user).values("pk")})
    if params.department_id is not None:
        path = Department.objects.filter(pk=params.department_id).values_list("path", flat=True).first()
        q &= Q(**{f"{lookup}department__path__startswith": path}) if path else Q(pk__in=[])
    return q


def full_name(last: str, first: str, patronymic: str) -> str:
    return " ".join(p for p in (last, first, patronymic) if p)


def local_naive(value: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: aware datetimes are written as the portal's local wall time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)
