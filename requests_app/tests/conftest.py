from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from leave import selectors as leave_selectors
from leave import services as leave_services
from staff.models import Employee


@pytest.fixture
def leave_ready(cast) -> None:
    """The production calendars loaded (leave quotes need them)."""
    leave_services.load_calendar(year=2026)
    leave_services.load_calendar(year=2025)


@pytest.fixture
def grant_only(cast) -> Callable[[Employee, Decimal], None]:
    """Make exactly `days` of annual leave available to the employee on every day of [first, last]
    (a span inside one month of service, so projected accrual does not move within it)."""

    def grant(employee: Employee, days: Decimal, first: dt.date, last: dt.date) -> None:
        on = first
        available = leave_selectors.balance(employee=employee, leave_type="annual", on=on).available
        leave_services.leave_adjust(
            employee=employee,
            leave_type="annual",
            days=days - available,
            actor=cast.hr.user,
            comment="test set-up",
            effective_date=dt.date(2026, 1, 1),
        )
        for day in (first, last):
            got = leave_selectors.balance(employee=employee, leave_type="annual", on=day).available
            assert got == days, (day, got)

    return grant
