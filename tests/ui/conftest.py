"""Fixtures of the page tests: logged-in clients, the calendar, and a seeded organisation of hundreds.

`big_org` adds employees, their pay rates, requests of every kind (with details and history), absences and
report jobs to the fixed cast with bulk_create, so a page's query count can be measured on real volume;
`grow(org, n)` adds n more, to show the count does not move with the size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from conftest import PASSWORD, Cast, ensure_leave_types, make_department
from leave.models import Absence, LeaveType
from leave.services import load_calendar
from reports.models import ReportJob
from requests_app.models import (
    CertificateDetails,
    LeaveDetails,
    RateChangeDetails,
    Request,
    RequestEvent,
    TripDetails,
)
from requests_app.services import tally_recount
from staff.models import Delegation, Department, Employee, PayRate

MONTH = dt.date(2026, 5, 1)  # the month the seeded absences fall in


@pytest.fixture
def calendars(db: None) -> None:
    ensure_leave_types()
    for year in (2025, 2026):
        load_calendar(year=year)


@dataclass
class Org:
    cast: Cast
    departments: list[Department]
    employees: list[Employee] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    batches: int = 0


def _bulk_employees(org: Org, count: int) -> list[Employee]:
    batch = org.batches
    org.batches += 1
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(username=f"bulk{batch}_{i}", password=password, email=f"bulk{batch}_{i}@example.test")
            for i in range(count)
        ]
    )
    employees = Employee.objects.bulk_create(
        [
            Employee(
                user=user,
                personnel_number=f"B{batch:02d}{i:05d}",
                last_name=f"Сотрудник{batch}_{i}",
                first_name="Тест",
                patronymic="Тестович",
                email=user.email,
                # Half in the manager's Sales subtree, the rest elsewhere (HR sees all of them).
                department=org.departments[i % len(org.departments)],
                hire_date=dt.date(2023, 1, 9),
            )
            for i, user in enumerate(users)
        ]
    )
    PayRate.objects.bulk_create(
        [
            PayRate(employee=e, effective_date=e.hire_date, fte=Decimal("1.00"), salary=Decimal("90000.00"))
            for e in employees
        ]
    )
    return employees


def _bulk_requests(org: Org, employees: list[Employee]) -> list[Request]:
    annual = LeaveType.objects.get(code="annual")
    kinds = [Request.Kind.LEAVE, Request.Kind.BUSINESS_TRIP, Request.Kind.CERTIFICATE, Request.Kind.RATE_CHANGE]
    statuses = [Request.Status.PENDING, Request.Status.APPROVED, Request.Status.PENDING, Request.Status.REJECTED]
    rows = []
    for i, employee in enumerate(employees):
        kind = kinds[i % len(kinds)]
        start = MONTH + dt.timedelta(days=i % 20)
        absence = kind in Request.ABSENCE_KINDS
        stage = Request.Stage.HR if kind == Request.Kind.RATE_CHANGE else Request.Stage.MANAGER
        status = statuses[(i // len(kinds)) % len(statuses)]
        rows.append(
            Request(
                kind=kind,
                employee=employee,
                status=status,
                stage=stage if status == Request.Status.PENDING else Request.Stage.DONE,
                stages=[stage],
                # Every approved absence's employee asks to cancel it: the inbox lists those too (to HR; to the
                # manager before it starts).
                cancel_requested=absence and status == Request.Status.APPROVED,
                start_date=start if absence else None,
                end_date=start + dt.timedelta(days=6) if absence else None,
                comment="bulk",
                created_by=org.cast.hr.user if kind == Request.Kind.RATE_CHANGE else employee.user,
            )
        )
    requests = Request.objects.bulk_create(rows)
    LeaveDetails.objects.bulk_create(
        [
            LeaveDetails(
                request=r,
                leave_type=annual,
                days=Decimal(7),
                quote={"calendar_days": 7, "days_charged": "7.00", "holidays_excluded": [], "available_after": "21.00"},
            )
            for r in requests
            if r.kind == Request.Kind.LEAVE
        ]
    )
    TripDetails.objects.bulk_create(
        [
            TripDetails(request=r, destination="Казань", purpose="Выставка")
            for r in requests
            if r.kind == Request.Kind.BUSINESS_TRIP
        ]
    )
    CertificateDetails.objects.bulk_create(
        [
            CertificateDetails(request=r, certificate_type="employment", copies=1)
            for r in requests
            if r.kind == Request.Kind.CERTIFICATE
        ]
    )
    RateChangeDetails.objects.bulk_create(
        [
            RateChangeDetails(request=r, effective_date=MONTH, fte=Decimal("1.00"), salary=Decimal("95000.00"))
            for r in requests
            if r.kind == Request.Kind.RATE_CHANGE
        ]
    )
    RequestEvent.objects.bulk_create(
        [
            RequestEvent(request=r, action=RequestEvent.Action.CREATED, actor=r.created_by, to_status="pending")
            for r in requests
        ]
        + [
            RequestEvent(
                request=r, action=r.status, actor=org.cast.manager.user, from_status="pending", to_status=r.status
            )
            for r in requests
            if r.status != Request.Status.PENDING
        ]
    )
    Absence.objects.bulk_create(
        [
            Absence(
                employee=e,
                kind=Absence.Kind.SICK,
                start_date=MONTH + dt.timedelta(days=20),
                end_date=MONTH.replace(day=24),
            )
            for e in employees[::10]
        ]
    )
    return requests


def _bulk_jobs(org: Org) -> None:
    people = [org.cast.manager.user, org.cast.hr.user]
    ReportJob.objects.bulk_create(
        [
            ReportJob(
                requester=people[i % 2],
                kind=ReportJob.Kind.HOLIDAY_WORK,
                params={"date_from": "2025-01-01", "date_to": "2025-12-31", "department": org.cast.sales.pk},
                params_key=f"bulk{org.batches}:{i}",
                status=ReportJob.Status.DONE,
                progress=100,
                row_count=i,
            )
            for i in range(30)
        ]
    )


def grow(org: Org, count: int) -> None:
    """Add `count` employees with a request each (and more report jobs and delegations)."""
    employees = _bulk_employees(org, count)
    org.employees += employees
    org.requests += _bulk_requests(org, employees)
    tally_recount()  # bulk-inserted around the services that keep the counts
    _bulk_jobs(org)
    Delegation.objects.bulk_create(
        [
            Delegation(
                manager=org.cast.manager,
                deputy=e,
                start_date=dt.date(2020, 1, 1) + dt.timedelta(days=10 * i),
                end_date=dt.date(2020, 1, 1) + dt.timedelta(days=10 * i + 5),
            )
            for i, e in enumerate(employees[:40])
            if e.department.path.startswith(org.cast.sales.path)
        ]
    )


@pytest.fixture
def big_org(cast: Cast, calendars: None) -> Org:
    """The cast plus 300 employees in 12 departments (half of them in the manager's subtree)."""
    departments = [cast.sales, cast.sales_east, cast.engineering]
    for i in range(3):
        departments.append(make_department(f"Продажи {i + 1}", cast.sales))
        departments.append(make_department(f"Разработка {i + 1}", cast.engineering))
    departments.append(make_department("Склад", cast.company))
    departments.append(make_department("Бухгалтерия", cast.company))
    departments.append(make_department("Продажи Запад", cast.sales))
    org = Org(cast=cast, departments=departments)
    grow(org, 300)
    return org
