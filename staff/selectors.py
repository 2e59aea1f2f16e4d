"""Reads about staff: pay rate on a date, subtree queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from staff.models import Department, Employee, PayRate


def current_rates() -> QuerySet[PayRate]:
    return PayRate.objects.filter(superseded_at__isnull=True)


def rate_on(employee: Employee | int, on: dt.date) -> PayRate | None:
    """The rate in force on a date: one indexed query (payrate_current_idx)."""
    employee_id = employee if isinstance(employee, int) else employee.pk
    return current_rates().filter(employee_id=employee_id, effective_date__lte=on).order_by("-effective_date").first()


def rate_history(employee: Employee | int) -> list[PayRate]:
    employee_id = employee if isinstance(employee, int) else employee.pk
    return list(current_rates().filter(employee_id=employee_id).order_by("effective_date"))


def subtree(department: Department) -> QuerySet[Department]:
    return Department.objects.filter(path__startswith=department.path)
