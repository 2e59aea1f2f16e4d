"""Writes to the organisation and pay rates. Keyword-only, atomic, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hrportal.errors import ValidationFailed
from staff.models import Department, Employee, PayRate, Position

User = get_user_model()

FTE_MIN = Decimal("0.01")
FTE_MAX = Decimal("1.50")


@transaction.atomic
def department_save(*, department: Department) -> Department:
    """Save a department and keep the materialised paths of it and its subtree right."""
    if department.parent_id and department.pk:
        ancestor: Department | None = Department.objects.get(pk=department.parent_id)
        while ancestor is not None:
            if ancestor.pk == department.pk:
                raise ValidationFailed("A department cannot be inside itself.", field="parent")
            ancestor = ancestor.parent
    old_path = department.path
    department.save()
    parent_path = Department.objects.get(pk=department.parent_id).path if department.parent_id else "/"
    new_path = f"{parent_path}{department.pk}/"
    if new_path != old_path:
        Department.objects.filter(pk=department.pk).update(path=new_path)
        department.path = new_path
        if old_path:
            # Re-root the subtree: one row at a time keeps the code obvious; trees are small.
            for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
                child.path = new_path + child.path[len(old_path) :]
                Department.objects.filter(pk=child.pk).update(path=child.path)
    return department


def validate_rate(*, fte: Decimal, salary: Decimal) -> None:
    errors: dict[str, list[str]] = {}
    if not (FTE_MIN <= fte <= FTE_MAX):
        errors["fte"] = [f"FTE must be between {FTE_MIN} and {FTE_MAX}."]
    if salary < 0:
        errors["salary"] = ["Salary cannot be negative."]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def pay_rate_record(
    *,
    employee: Employee,
    effective_date: dt.date,
    fte: Decimal,
    salary: Decimal,
    actor: Any = None,
    comment: str = "",
) -> PayRate:
    """Record a rate from a date. A row for the same date is superseded, never edited."""
    validate_rate(fte=fte, salary=salary)
    if effective_date < employee.hire_date:
        raise ValidationFailed("A rate cannot start before the hire date.", field="effective_date")
    # Lock the employee row so two corrections of the same date serialise.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    current = (
        PayRate.objects.select_for_update()
        .filter(employee=employee, effective_date=effective_date, superseded_at__isnull=True)
        .first()
    )
    if current is not None:
        if current.fte == fte and current.salary == salary:
            return current  # nothing changes: a retried call is harmless
        current.superseded_at = timezone.now()
        current._change_reason = f"superseded: {comment}".strip()
        current.save(update_fields=["superseded_at"])
    rate = PayRate(
        employee=employee, effective_date=effective_date, fte=fte, salary=salary, created_by=actor, comment=comment
    )
    rate._change_reason = comment or "rate recorded"
    rate.save()
    return rate


@transaction.atomic
def employee_create(
    *,
    username: str,
    full_name: str,
    email: str,
    department: Department,
    hire_date: dt.date,
    fte: Decimal,
    salary: Decimal,
    position: Position | None = None,
    password: str | None = None,
    personnel_number: str | None = None,
    language: str = Employee.Language.RU,
    actor: Any = None,
) -> Employee:
    """Create a user, their employee record and the first pay rate (effective on the hire date)."""
    validate_rate(fte=fte, salary=salary)
    parts = full_name.split()
    if len(parts) < 2:
        raise ValidationFailed("Give the full name as 'Surname Name [Patronymic]'.", field="full_name")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed("This username is taken.", field="username")
    user = User(username=username, email=email, first_name=parts[1], last_name=parts[0])
    if password:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise ValidationFailed({"password": list(exc.messages)}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.save()
        employee = Employee(
            user=user,
            personnel_number=personnel_number or f"T{user.pk:06d}",
            last_name=parts[0],
            first_name=parts[1],
            patronymic=" ".join(parts[2:]),
            email=email,
            language=language,
            department=department,
            position=position,
            hire_date=hire_date,
        )
        employee._change_reason = "employee created"
        employee.save()
    except IntegrityError as exc:
        raise ValidationFailed(f"Cannot create the employee: {exc}", field="personnel_number") from None
    pay_rate_record(employee=employee, effective_date=hire_date, fte=fte, salary=salary, actor=actor, comment="hire")
    return employee
