"""Fixtures of the staff tests (the cast itself is in the root conftest)."""

from __future__ import annotations

import pytest

from staff.models import Employee
from staff.services import hr_group_ensure


@pytest.fixture
def hr_admin(cast: object) -> Employee:
    """The cast's HR person as HR works in the admin: staff flag and the `hr` group's permissions."""
    hr: Employee = cast.hr  # type: ignore[attr-defined]
    hr_group_ensure()
    hr.user.is_staff = True
    hr.user.save(update_fields=["is_staff"])
    return hr
