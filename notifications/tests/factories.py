"""Cheap people and objects for outbox tests (no password hashing: integration tests create several)."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import User

from staff.models import Department, Employee

_numbers = itertools.count(1)


def make_person(*, language: str = "ru", email: str | None = None, department: Department | None = None) -> Employee:
    n = next(_numbers)
    username = f"notif{n}"
    user = User.objects.create(username=username, email=email or f"{username}@example.test")
    department = department or Department.objects.create(name=f"Отдел {n}")
    return Employee.objects.create(
        user=user,
        personnel_number=f"N{n:06d}",
        last_name="Сидоров",
        first_name="Олег",
        patronymic="Игоревич",
        email=user.email if email is None else email,
        department=department,
        hire_date=dt.date(2023, 1, 9),
        language=language,
    )


def fake_request(employee: Employee | None = None, **fields: Any) -> SimpleNamespace:
    """What the request events' context carries, without the requests app (written in parallel)."""
    values = {
        "id": 42,
        "kind": "leave",
        "status": "pending",
        "start_date": dt.date(2025, 3, 3),
        "end_date": dt.date(2025, 3, 14),
        "employee": employee,
    }
    values.update(fields)
    return SimpleNamespace(**values)
