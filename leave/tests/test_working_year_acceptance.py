"""Issue 16's acceptance cases, through the request service and the API, and the settlement endpoint."""

from __future__ import annotations

from decimal import ROUND_UP

import pytest
import time_machine

from conftest import Cast, make_employee
from leave.models import LeaveSettlement, LeaveType
from leave.services import settlement_record
from leave.tests.conftest import D, d
from requests_app.services import request_create

pytestmark = pytest.mark.django_db


def _book(person, leave_types, start: str, end: str):  # type: ignore[no-untyped-def]
    return request_create(
        actor=person.user,
        kind="leave",
        leave_type=leave_types["annual"],
        start_date=d(start),
        end_date=d(end),
    )


def test_case_1_whole_first_year_after_six_months(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    """Hired 13.01.2025; 28 days from 14.07.2025 (to 10.08.2025, no holidays). Six months end on 12.07.2025,
    so the right arises on 13.07 (art. 122 part 2) and the first working year grants 28 (art. 115, 122): accepted,
    to the manager only. Month by month only 14.00 had been earned — the old refusal."""
    person = make_employee(username="case1", department=cast.sales, hire_date=d("2025-01-13"))
    with time_machine.travel("2025-06-02 10:00:00+03:00", tick=False):
        request = _book(person, leave_types, "2025-07-14", "2025-08-10")
    assert request.status == "pending" and request.stages == ["manager"]
    assert request.leave.days == D("28.00")
    assert request.leave.quote["draws_on"] == [{"start": "2025-01-13", "end": "2026-01-12", "days": "28.00"}]


def test_case_2_first_year_then_the_second(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    """Hired 15.01.2024. 28 days 02–29.12.2024 fall in working year 1 (15.01.2024–14.01.2025): 28 entitled,
    accepted. Then 03.02–02.03.2025: 28 calendar days less 23 February (art. 112, on a Sunday, still excluded)
    = 27 charged, in working year 2 (from 15.01.2025): 56 entitled − 28 pending = 28 ≥ 27, accepted."""
    person = make_employee(username="case2", department=cast.sales, hire_date=d("2024-01-15"))
    with time_machine.travel("2024-11-01 10:00:00+03:00", tick=False):
        december = _book(person, leave_types, "2024-12-02", "2024-12-29")
        february = _book(person, leave_types, "2025-02-03", "2025-03-02")
    assert (december.status, december.leave.days) == ("pending", D("28.00"))
    assert (february.status, february.leave.days) == ("pending", D("27.00"))
    assert february.leave.quote["working_year"] == {"start": "2025-01-15", "end": "2026-01-14"}
    assert february.leave.quote["available_after"] == "1.00"


def test_case_3_fourteen_days_after_three_months_goes_to_hr(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    """Hired 03.03.2025; 14 days 16–29.06.2025 after three months and 13 days: before the six months of art. 122,
    so by agreement — accepted, routed to HR after the manager; 14 ≤ the first year's 28, never refused."""
    person = make_employee(username="case3", department=cast.sales, hire_date=d("2025-03-03"))
    with time_machine.travel("2025-06-02 10:00:00+03:00", tick=False):
        request = _book(person, leave_types, "2025-06-16", "2025-06-29")
    assert request.status == "pending" and request.stages == ["manager", "hr"]
    assert request.leave.days == D("14.00")
    assert request.leave.quote["needs_hr"] is True


def test_case_4_eleven_months_are_compensated_in_full(cast: Cast, leave_types: dict[str, LeaveType], api) -> None:  # type: ignore[no-untyped-def]
    """Hired 13.01.2025, dismissed on 12.12.2025 on his own wish: exactly 11 months of service (13.01–12.12), so
    rule 28 gives the whole 28 days (month by month 11 × 28/12 = 25.67). The money is 28 × the average daily
    earnings, rounded up to the kopeck."""
    person = make_employee(username="case4", department=cast.sales, hire_date=d("2025-01-13"))
    url = f"/api/v1/leave/settlement/?employee={person.pk}&on=2025-12-12&ground=own_wish"
    response = api(cast.hr).get(url)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["compensated_days"] == "28.00" and body["unused_days"] == "28.00"
    assert body["deductible_days"] == "0.00" and body["month_by_month_days"] == "25.67"
    assert body["lines"][0]["months_counted"] == 11 and "rule 28" in body["lines"][0]["rule"]
    assert body["lines"][0]["rule_code"] == "rule28_11"
    average = D(body["average_daily_earnings"])
    assert D(body["compensation"]) == (28 * average).quantize(D("0.01"), rounding=ROUND_UP)
    assert average > 0


def test_settlement_is_hr_only_and_scoped(cast: Cast, leave_types: dict[str, LeaveType], api) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/leave/settlement/?employee={cast.employee.pk}&on=2025-12-12&ground=own_wish"
    assert api(cast.manager).get(url).status_code == 403
    assert api(cast.employee).get(url).status_code == 403
    assert api(cast.outsider).get(url).status_code == 403
    assert api(None).get(url).status_code in (401, 403)
    assert (
        api(cast.hr).get("/api/v1/leave/settlement/?employee=999999&on=2025-12-12&ground=own_wish").status_code == 404
    )


def test_settlement_bad_input_names_the_rule_and_writes_nothing(
    cast: Cast, leave_types: dict[str, LeaveType], api
) -> None:  # type: ignore[no-untyped-def]
    """The cast is hired 09.01.2023: a dismissal on 08.01.2023 is before it (art. 84.1); "bored" is no ground."""
    base = f"/api/v1/leave/settlement/?employee={cast.employee.pk}"
    before = api(cast.hr).get(f"{base}&on=2023-01-08&ground=own_wish")
    assert before.status_code == 400 and "art. 84.1" in before.json()["on"][0]
    unknown = api(cast.hr).get(f"{base}&on=2025-12-12&ground=bored")
    assert unknown.status_code == 400 and "art. 77" in unknown.json()["ground"][0]
    assert api(cast.hr).get(f"{base}&ground=own_wish").status_code == 400
    assert not LeaveSettlement.objects.exists()


def test_settlement_on_a_listed_ground_with_leave_used_in_advance(
    cast: Cast, leave_types: dict[str, LeaveType], api
) -> None:  # type: ignore[no-untyped-def]
    """Hired 03.03.2025; 20 days used (approved) in July; staff reduction (art. 81 p. 2) on 02.09.2025: 6 months
    (03.03–02.09), rule 28 on a listed ground → the full 28; 28 − 20 = 8 compensated, nothing in advance. On own
    wish the same date gives 6 × 28/12 = 14.00 < 20: 6 days in advance, deductible (art. 137)."""
    person = make_employee(username="leaver", department=cast.sales, hire_date=d("2025-03-03"))
    with time_machine.travel("2025-06-02 10:00:00+03:00", tick=False):
        request = _book(person, leave_types, "2025-07-07", "2025-07-26")
    from leave.services import leave_use

    leave_use(request_id=request.pk)
    base = f"/api/v1/leave/settlement/?employee={person.pk}&on=2025-09-02"
    cut = api(cast.hr).get(f"{base}&ground=staff_reduction").json()
    assert (cut["compensated_days"], cut["deductible_days"]) == ("8.00", "0.00")
    own = api(cast.hr).get(f"{base}&ground=own_wish").json()
    assert (own["compensated_days"], own["advance_days"], own["deductible_days"]) == ("0.00", "6.00", "6.00")
    assert "art. 137" in own["notes"][0]
    record = settlement_record(employee=person, on=d("2025-09-02"), ground="staff_reduction", actor=cast.hr.user)
    assert (record.compensated_days, record.lines[0]["entitled"]) == (D("8.00"), "28.00")
    assert settlement_record(employee=person, on=d("2025-09-02"), ground="staff_reduction", actor=None).pk == record.pk
    again = api(cast.hr).get(f"{base}&ground=staff_reduction").json()
    assert again["recorded"] == record.pk


def test_settlement_in_the_schema(api, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    schema = api(cast.hr).get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/leave/settlement/"]["get"]
    assert operation["operationId"] == "leave_settlement"
    assert {"200", "400", "403", "404"} <= set(operation["responses"])
    balance_line = schema["components"]["schemas"]["BalanceLine"]["properties"]
    assert {"entitled", "carried_over", "working_year"} <= set(balance_line)


def test_dates_outside_the_calendar_years_and_nul_are_400(cast: Cast, leave_types: dict[str, LeaveType], api) -> None:  # type: ignore[no-untyped-def]
    """The engine answers for 1992–2100 (the production calendar's years); a working year that would end past
    9999-12-31 (a page's forecast) ends there instead of failing."""
    client = api(cast.hr)
    assert client.get("/api/v1/leave/balance/?on=9999-12-31").status_code == 400
    settlement = f"/api/v1/leave/settlement/?employee={cast.employee.pk}&on=2101-01-01&ground=own_wish"
    assert client.get(settlement).status_code == 400
    quote = {"leave_type": "ann\x00ual", "start_date": "2025-07-14", "end_date": "2025-07-20"}
    assert api(cast.employee).post("/api/v1/leave/quote/", quote).status_code == 400
    from leave import calc

    timeline = calc.ServiceTimeline(hire_date=d("2020-03-01"))
    assert calc.working_year.working_year_of(timeline, d("9999-12-31")).end == d("9999-12-31")
