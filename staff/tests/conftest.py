"""Fixtures of the staff tests (the cast itself is in the root conftest)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from staff.models import Employee
from staff.services import hr_group_ensure


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: pytest.FixtureRequest) -> None:
    # The cast hashes ten passwords; PBKDF2 at Django's default cost would take seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hr_admin(cast: object) -> Employee:
    """The cast's HR person as HR works in the admin: staff flag and the `hr` group's permissions."""
    hr: Employee = cast.hr  # type: ignore[attr-defined]
    hr_group_ensure()
    hr.user.is_staff = True
    hr.user.save(update_fields=["is_staff"])
    return hr


@pytest.fixture
def login() -> Callable[[Employee | User], Client]:
    """`login(person)` → a Django test client with a real session of that person."""

    def make(person: Employee | User) -> Client:
        client = Client()
        user = person.user if isinstance(person, Employee) else person
        client.force_login(user)
        return client

    return make
