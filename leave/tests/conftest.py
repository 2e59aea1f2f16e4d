from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import ensure_leave_types
from leave import calc
from leave.calc import sources
from leave.models import LeaveType


@pytest.fixture(scope="session")
def official_calendar() -> calc.ProductionCalendar:
    """2022–2027 as the portal computes it: the shipped table for 2023–2026, holidays.RU around it."""
    return sources.calendar_for_years(range(2022, 2028))


@pytest.fixture
def leave_types(db: None) -> dict[str, LeaveType]:
    """The standard types (a transactional test's flush removes the data migration's rows)."""
    ensure_leave_types()
    return {t.code: t for t in LeaveType.objects.all()}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def D(text: str | int) -> Decimal:
    return Decimal(str(text))


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English source messages; the UI default is Russian, with a catalogue."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
