"""Issue 22: a year without an official calendar is called provisional (quote, calendar API, team calendar) until
HR loads or confirms it; a long unpaid leave warns that the working year shifts (art. 121); the quote's balance is
as of the leave's first day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from leave import selectors, services
from leave.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_a_year_outside_the_official_table_is_provisional_until_hr_confirms_it(cast, api) -> None:
    assert selectors.provisional_years(start=dt.date(2026, 1, 1), end=dt.date(2029, 12, 31)) == [2027, 2028, 2029]
    body = api(cast.employee).get("/api/v1/calendar/2029/").json()
    assert body["provisional"] is True
    assert api(cast.employee).get("/api/v1/calendar/2026/").json()["provisional"] is False
    services.calendar_year_confirm(year=2029)
    assert set(CalendarDay.objects.filter(date__year=2029).values_list("source", flat=True)) == {"manual"}
    assert api(cast.employee).get("/api/v1/calendar/2029/").json()["provisional"] is False


def test_the_quote_and_the_team_calendar_say_provisional(cast, api, login) -> None:
    quote = (
        api(cast.employee)
        .post("/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2029-05-07", "end_date": "2029-05-11"})
        .json()
    )
    assert any("Provisional production calendar for 2029" in w for w in quote["warnings"])
    official = (
        api(cast.employee)
        .post("/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2026-05-11", "end_date": "2026-05-15"})
        .json()
    )
    assert not any("Provisional" in w for w in official["warnings"])
    page = login(cast.manager).get("/team/calendar/?month=2029-05").content.decode()
    assert 'id="provisional-calendar"' in page
    assert 'id="provisional-calendar"' not in login(cast.manager).get("/team/calendar/?month=2026-05").content.decode()


def test_a_long_unpaid_leave_warns_that_the_working_year_shifts(cast, api) -> None:
    """Art. 121: unpaid leave beyond 14 days in a working year is not service. The employee (hired 09.01.2023, see
    conftest) takes 200 days from 01.04.2026: 200 − 14 = 186 days beyond, so the working year 09.01.2026 –
    08.01.2027 ends 186 days later. A 10-day unpaid leave shifts nothing."""
    hire = cast.employee.hire_date
    body = {"leave_type": "unpaid", "start_date": "2026-04-01", "end_date": "2026-10-17"}  # 200 days
    warnings = api(cast.employee).post("/api/v1/leave/quote/", body).json()["warnings"]
    shift = [w for w in warnings if "art. 121" in w]
    assert len(shift) == 1 and "moves by 186 days" in shift[0], warnings
    assert f"{hire:%d.%m}" in shift[0]
    short = {"leave_type": "unpaid", "start_date": "2026-04-01", "end_date": "2026-04-10"}
    assert not [w for w in api(cast.employee).post("/api/v1/leave/quote/", short).json()["warnings"] if "121" in w]
