"""Report × role × column: money columns exist only for a requester who may see everyone's pay (HR).

The rule is staff.access.can_see_salary (HR and the person themself), applied to a whole report by
reports.exporters.base.shows_money: the hourly rate and the pay of holiday work, the average daily earnings and
the value of unused leave are in HR's workbook; a manager's, a deputy's (whose report also holds the manager's
own rows) and an employee's workbook have no such columns at all — absent from the header and from every row,
not blank. The mail attaches the same file (last test). docs/decisions/reports-pay-columns.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from conftest import make_employee
from hrportal.storage import open_private
from notifications.models import OutboxMessage
from reports import services
from reports.exporters import export_to_file
from reports.tests.conftest import HolidayFixture, read_rows
from requests_app.delegations import delegation_create
from staff.models import Employee

KINDS = ("holiday_work", "leave_balances", "requests")
ROLES = ("hr", "manager", "deputy", "employee")
MONEY = {
    "holiday_work": {"Hourly rate, RUB", "Pay, RUB"},
    "leave_balances": {"Average daily earnings, RUB", "Value of unused days, RUB"},
    "requests": set(),  # the register shows no pay (a rate change's salary is not among its columns)
}
# The money columns each role's workbook has.
EXPECTED = {(kind, role): MONEY[kind] if role == "hr" else set() for kind in KINDS for role in ROLES}
# Every money header this project writes, to find one in a report that should not have it.
ANY_MONEY = set().union(*MONEY.values())


@pytest.fixture
def people(holiday_fixture: HolidayFixture, cast: Any) -> dict[str, Any]:
    """HR, the head of Sales, their deputy while the delegation runs (an employee of Sales who manages no one
    otherwise), and an employee."""
    deputy = make_employee(username="deputy", department=cast.sales, last_name="Зайцева")
    today = timezone.localdate()
    delegation_create(manager=cast.manager, deputy=deputy, start_date=today, end_date=today + dt.timedelta(days=30))
    return {"hr": cast.hr, "manager": cast.manager, "deputy": deputy, "employee": cast.employee}


def _workbook(kind: str, person: Any, fixture: HolidayFixture, path: Path) -> list[tuple[Any, ...]]:
    with translation.override("en"):  # as reports.services.report_run does for an English-speaking requester
        export_to_file(
            kind=kind,
            user=person.user,
            date_from=fixture.date_from,
            date_to=fixture.date_to,
            department_id=None,
            path=path,
            language="en",
        )
    return read_rows(path)


def test_money_columns_by_report_and_role(
    people: dict[str, Any], holiday_fixture: HolidayFixture, tmp_path: Path
) -> None:
    problems = []
    headers: dict[tuple[str, str], list[Any]] = {}
    for kind in KINDS:
        for role in ROLES:
            rows = _workbook(kind, people[role], holiday_fixture, tmp_path / f"{kind}-{role}.xlsx")
            header = list(rows[0])
            headers[kind, role] = header
            shown = set(header) & ANY_MONEY
            if shown != EXPECTED[kind, role]:
                problems.append(f"{kind} as {role}: money columns {sorted(shown)}, expected {EXPECTED[kind, role]}")
            if any(len(row) > len(header) for row in rows[1:]):  # no value outside a column: absent, not blank
                problems.append(f"{kind} as {role}: a row is wider than the header")
    for kind in KINDS:
        hr_without_money = [title for title in headers[kind, "hr"] if title not in MONEY[kind]]
        for role in ROLES[1:]:
            if headers[kind, role] != hr_without_money:
                problems.append(f"{kind} as {role}: header {headers[kind, role]}, expected {hr_without_money}")
    assert not problems, "\n".join(problems)


def test_the_deputy_gets_the_team_without_the_manager_and_without_pay(
    people: dict[str, Any], holiday_fixture: HolidayFixture, cast: Any, tmp_path: Path
) -> None:
    """The issue's case: the deputy's leave-balance report showed the manager's own average earnings. A deputy acts
    over the manager's team, never over the manager: the team's rows, not the manager's, and no earnings."""
    rows = _workbook("leave_balances", people["deputy"], holiday_fixture, tmp_path / "deputy.xlsx")
    header, data = rows[0], rows[1:]
    listed = {row[1] for row in data}
    assert cast.employee.personnel_number in listed
    assert cast.manager.personnel_number not in listed
    assert len(header) == 8 and not set(header) & ANY_MONEY


def test_the_mailed_workbook_follows_the_requester(
    people: dict[str, Any], holiday_fixture: HolidayFixture, no_enqueue: list[int]
) -> None:
    """The report mail attaches the job's own file: HR's with the pay, the manager's without."""
    Employee.objects.filter(pk__in=[people["hr"].pk, people["manager"].pk]).update(language="en")  # the headers
    attached = {}
    for role in ("hr", "manager"):
        job, _created = services.report_request(
            user=people[role].user,
            kind="holiday_work",
            date_from=holiday_fixture.date_from,
            date_to=holiday_fixture.date_to,
        )
        services.report_run(job_id=job.pk)
        [message] = OutboxMessage.objects.filter(event="report_ready", recipient=people[role])
        [name] = message.attachments
        with open_private(name) as fh:  # where notifications.delivery reads attachments
            attached[role] = set(read_rows(fh.read())[0]) & ANY_MONEY
    assert attached == {"hr": MONEY["holiday_work"], "manager": set()}
