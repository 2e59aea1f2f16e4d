"""The leave API: balance, quote, calendar — happy paths, bad input, and the outsider's 404."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from rest_framework.test import APIClient

from conftest import Cast
from leave import services
from leave.models import LeaveType
from leave.tests.conftest import D, d
from staff.models import Employee

pytestmark = pytest.mark.django_db
Api = Callable[[Employee | None], APIClient]


def test_balance_of_the_caller_today(cast: Cast, leave_types: dict[str, LeaveType], api: Api) -> None:
    with time_machine.travel("2025-07-14 12:00:00+03:00", tick=False):
        response = api(cast.employee).get("/api/v1/leave/balance/")
    assert response.status_code == 200
    body = response.json()
    assert body["employee"] == cast.employee.pk and body["on"] == "2025-07-14"
    annual = {line["leave_type"]: line for line in body["balances"]}["annual"]
    # Hired 09.01.2023: 30 counted months earn 30 × 28/12 = 70.00 month by month; three working years have
    # opened (09.01.2023, 09.01.2024, 09.01.2025): 84.00 entitled, 56.00 of it from the first two (art. 122).
    assert annual == {
        "leave_type": "annual",
        "accrued": "70.00",
        "used": "0.00",
        "pending": "0.00",
        "available": "84.00",
        "entitled": "84.00",
        "carried_over": "56.00",
        "working_year": {"start": "2025-01-09", "end": "2026-01-08"},
    }


def test_manager_sees_a_report_outsider_gets_404(cast: Cast, leave_types: dict[str, LeaveType], api: Api) -> None:
    services.leave_reserve(
        request_id=1,
        employee=cast.employee,
        leave_type="annual",
        start_date=d("2025-08-01"),
        end_date=d("2025-08-14"),
        days=D(14),
    )
    url = f"/api/v1/leave/balance/?employee={cast.employee.pk}&on=2025-08-01"
    response = api(cast.manager).get(url)
    assert response.status_code == 200
    annual = {line["leave_type"]: line for line in response.json()["balances"]}["annual"]
    # 1 August 2025: three working years opened, 84.00 entitled, minus 14 pending.
    assert (annual["pending"], annual["available"], annual["accrued"]) == ("14.00", "70.00", "72.33")
    assert api(cast.hr).get(url).status_code == 200
    outsider = api(cast.outsider).get(url)
    assert outsider.status_code == 404
    assert api(cast.outsider).get("/api/v1/leave/balance/?employee=999999").status_code == 404


def test_balance_rejects_bad_input_and_anonymous(cast: Cast, leave_types: dict[str, LeaveType], api: Api) -> None:
    response = api(cast.employee).get("/api/v1/leave/balance/?on=tomorrow&employee=x")
    assert response.status_code == 400
    assert set(response.json()) == {"on", "employee"}
    assert api(None).get("/api/v1/leave/balance/").status_code == 401


def test_user_without_employee_must_name_one(leave_types: dict[str, LeaveType], api: Api) -> None:
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", "root@example.test", "x")
    response = api(admin).get("/api/v1/leave/balance/")
    assert response.status_code == 400 and "employee" in response.json()


QUOTE = {"leave_type": "annual", "start_date": "2025-07-14", "end_date": "2025-07-27"}


def test_quote_for_oneself(cast: Cast, leave_types: dict[str, LeaveType], api: Api) -> None:
    response = api(cast.employee).post("/api/v1/leave/quote/", QUOTE)
    assert response.status_code == 200, response.json()
    body = response.json()
    # The cast earns 100 000 a month since 2023: 1 200 000 / 351.6 = 3 412.97 a day; × 14 = 47 781.58.
    assert body["calendar_days"] == 14 and body["days_charged"] == "14.00"
    assert body["holidays_excluded"] == []
    assert body["average_daily_earnings"] == "3412.97"
    assert body["vacation_pay"] == "47781.58"
    assert body["available_after"] == "70.00"  # 84 entitled − 14
    assert body["warnings"] == [] and body["needs_hr"] is False
    assert len(body["breakdown"]) == 12
    # Nothing used yet: the 14 days draw on the oldest working year.
    assert body["draws_on"] == [{"start": "2023-01-09", "end": "2024-01-08", "days": "14.00"}]
    first = body["breakdown"][0]
    assert first["month"] == "2024-07" and first["earnings"] == "100000.00" and first["days_counted"] == "29.3000"
    assert first["segments"][0]["salary"] == "100000.00"
    assert body["pay_method"] == "period" and body["earnings_total"] == "1200000.00"


def test_quote_over_new_year_excludes_the_holidays(cast: Cast, leave_types: dict[str, LeaveType], api: Api) -> None:
    response = api(cast.employee).post(
        "/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2024-12-28", "end_date": "2025-01-12"}
    )
    body = response.json()
    assert body["calendar_days"] == 16 and body["days_charged"] == "8.00"
    assert body["holidays_excluded"] == [f"2025-01-0{i}" for i in range(1, 9)]


def test_quote_for_a_report_hides_earnings_from_the_manager(
    cast: Cast, leave_types: dict[str, LeaveType], api: Api
) -> None:
    body = api(cast.manager).post("/api/v1/leave/quote/", {**QUOTE, "employee": cast.employee.pk}).json()
    assert body["days_charged"] == "14.00"
    assert body["vacation_pay"] is None and body["average_daily_earnings"] is None and body["breakdown"] == []
    hr_body = api(cast.hr).post("/api/v1/leave/quote/", {**QUOTE, "employee": cast.employee.pk}).json()
    assert hr_body["vacation_pay"] == "47781.58"
    response = api(cast.outsider).post("/api/v1/leave/quote/", {**QUOTE, "employee": cast.employee.pk})
    assert response.status_code == 404


def test_quote_warnings(cast: Cast, leave_types: dict[str, LeaveType], api: Api, make_newcomer: Employee) -> None:
    # Hired 1 June 2025: a leave in September is before six months (art. 122): by agreement, HR decides; the
    # first working year grants 28 days, so 10 are within it (never refused on the balance alone).
    body = (
        api(make_newcomer)
        .post("/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2025-09-01", "end_date": "2025-09-10"})
        .json()
    )
    assert body["needs_hr"] is True
    assert any("art. 122" in w for w in body["warnings"])
    assert not any("Not enough leave balance" in w for w in body["warnings"])
    assert body["available_after"] == "18.00"
    assert body["working_year"] == {"start": "2025-06-01", "end": "2026-05-31"}
    assert body["draws_on"] == [{"start": "2025-06-01", "end": "2026-05-31", "days": "10.00"}]


def test_quote_warns_when_no_14_day_part_is_left(cast: Cast, leave_types: dict[str, LeaveType], api: Api) -> None:
    # Working year 9 Jan 2025 – 8 Jan 2026: 28 days. Booked 10 + 5; asking 3 leaves 10 < 14 (art. 125).
    for request_id, (start, end, days) in enumerate(
        [("2025-02-03", "2025-02-12", 10), ("2025-04-07", "2025-04-11", 5)], start=1
    ):
        services.leave_reserve(
            request_id=request_id,
            employee=cast.employee,
            leave_type="annual",
            start_date=d(start),
            end_date=d(end),
            days=D(days),
        )
    body = (
        api(cast.employee)
        .post("/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2025-06-02", "end_date": "2025-06-04"})
        .json()
    )
    assert any("art. 125" in w and "2025-01-09 – 2026-01-08" in w for w in body["warnings"])
    body = (
        api(cast.employee)
        .post("/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2025-06-02", "end_date": "2025-06-15"})
        .json()
    )
    # 14 calendar days but 12 June is a holiday: 13 days of leave, still no 14-day part.
    assert body["days_charged"] == "13.00" and any("art. 125" in w for w in body["warnings"])
    body = (
        api(cast.employee)
        .post("/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2025-06-02", "end_date": "2025-06-16"})
        .json()
    )
    assert not any("art. 125" in w for w in body["warnings"])  # this part itself is 14 days


def test_quote_for_unpaid_leave(cast: Cast, leave_types: dict[str, LeaveType], api: Api) -> None:
    body = (
        api(cast.employee)
        .post("/api/v1/leave/quote/", {"leave_type": "unpaid", "start_date": "2025-01-01", "end_date": "2025-01-14"})
        .json()
    )
    assert body["days_charged"] == "14.00" and body["holidays_excluded"] == []
    assert body["vacation_pay"] == "0.00" and body["available_after"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"leave_type": "annual", "start_date": "2025-07-14", "end_date": "2025-07-01"}, "end_date"),
        ({"leave_type": "annual", "start_date": "2025-01-01", "end_date": "2026-06-01"}, "end_date"),
        ({"leave_type": "holiday", "start_date": "2025-07-14", "end_date": "2025-07-15"}, "leave_type"),
        ({"leave_type": "annual", "start_date": "soon", "end_date": "2025-07-15"}, "start_date"),
        ({"start_date": "2025-07-14", "end_date": "2025-07-15"}, "leave_type"),
    ],
)
def test_quote_rejects_bad_input(
    cast: Cast, leave_types: dict[str, LeaveType], api: Api, payload: dict[str, str], field: str
) -> None:
    response = api(cast.employee).post("/api/v1/leave/quote/", payload)
    assert response.status_code == 400
    assert field in response.json()


def test_quote_needs_authentication(leave_types: dict[str, LeaveType], api: Api) -> None:
    assert api(None).post("/api/v1/leave/quote/", QUOTE).status_code == 401


def test_calendar_year(cast: Cast, api: Api) -> None:
    response = api(cast.employee).get("/api/v1/calendar/2025/")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2025
    assert body["months"][0] == {"month": 1, "working_days": 17, "hours_40": 136}
    assert sum(m["working_days"] for m in body["months"]) == 247
    assert sum(m["hours_40"] for m in body["months"]) == 1972
    days = {day["date"]: day for day in body["days"]}
    assert days["2025-01-07"] == {
        "date": "2025-01-07",
        "kind": "public_holiday",
        "shortened": False,
        "name": "Рождество Христово",
    }
    assert days["2025-11-01"] == {"date": "2025-11-01", "kind": "working_weekend", "shortened": True, "name": ""}
    assert days["2025-05-02"]["kind"] == "day_off"
    assert len(body["days"]) == len([line for line in open_csv_lines() if line.startswith("2025-")])


def open_csv_lines() -> list[str]:
    from leave.calc.sources import CSV_PATH

    return CSV_PATH.read_text(encoding="utf-8").splitlines()


def test_calendar_year_out_of_range_and_anonymous(cast: Cast, api: Api) -> None:
    assert api(cast.employee).get("/api/v1/calendar/1900/").status_code == 404
    assert api(None).get("/api/v1/calendar/2025/").status_code == 401


def test_calendar_for_a_later_year_from_holidays_ru(cast: Cast, api: Api) -> None:
    body = api(cast.employee).get("/api/v1/calendar/2027/").json()
    assert any(day["date"] == "2027-02-20" and day["kind"] == "working_weekend" for day in body["days"])


def test_endpoints_make_a_bounded_number_of_queries(
    cast: Cast, leave_types: dict[str, LeaveType], api: Api, django_assert_max_num_queries: Callable
) -> None:
    services.accrue(up_to=d("2025-07-01"), employees=[cast.employee])
    for request_id in range(1, 6):
        start = d("2025-08-01").replace(day=request_id * 2)
        services.leave_reserve(
            request_id=request_id,
            employee=cast.employee,
            leave_type="annual",
            start_date=start,
            end_date=start,
            days=D(1),
        )
        services.absence_record(
            employee=cast.employee,
            kind="sick",
            start_date=start.replace(year=2025, month=3),
            end_date=start.replace(year=2025, month=3),
        )
    client = api(cast.hr)
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/leave/balance/?employee={cast.employee.pk}&on=2025-08-01").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.post("/api/v1/leave/quote/", {**QUOTE, "employee": cast.employee.pk}).status_code == 200


@pytest.fixture
def make_newcomer(cast: Cast) -> Employee:
    from conftest import make_employee

    return make_employee(username="newcomer", department=cast.sales, hire_date=d("2025-06-01"))
