"""Reads of the schedule: the parts a user may see, a team's year, HR's progress per department. Each makes a
bounded number of queries whatever the size of the organisation (the HR page's budget is tested at 5 000
employees; its time at 30,000 in bench/scale.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from hrportal.pages import CountlessPage
from leave import selectors as leave_selectors
from schedule.models import Campaign, Change, Part, Submission
from schedule.notices import campaign_employees
from staff import access
from staff.models import Department, Employee

LONG_PART_DAYS = 14  # art. 125: one part of at least 14 calendar days


def visible_parts(user: Any, campaign: Campaign, *, department: Department | None = None) -> QuerySet[Part]:
    """Parts the user may see: their own and their managed subtree's; HR every one; narrowed to a department's
    subtree."""
    qs = Part.objects.filter(campaign=campaign).select_related(
        "employee", "employee__department", "employee__position", "leave_type", "request"
    )
    if not access.is_active_user(user):
        return qs.none()
    if not access.is_hr(user):
        me = access.employee_of(user)
        if me is None:
            return qs.none()
        qs = qs.filter(Q(employee=me) | access.managed_employee_ids_q(user))
    if department is not None:
        qs = qs.filter(employee__department__path__startswith=department.path)
    return qs.order_by("employee__department__name", "employee__last_name", "employee__pk", "start_date")


def open_changes(parts: QuerySet[Part]) -> dict[int, Change]:
    return {
        c.part_id: c
        for c in Change.objects.filter(part__in=parts, status=Change.Status.PROPOSED).select_related("proposed_by")
    }


@dataclass
class EmployeeYear:
    employee: Employee
    parts: list[Part] = field(default_factory=list)


@dataclass
class TeamYear:
    """A manager's team on one calendar: each employee's parts, and per day the share of the team away."""

    year: int
    rows: list[EmployeeYear]
    away: dict[dt.date, int]
    size: int

    def share(self, day: dt.date) -> float:
        return self.away.get(day, 0) / self.size if self.size else 0.0

    def overlaps(self, part: Part) -> list[Employee]:
        """Colleagues whose parts overlap this one."""
        return [
            row.employee
            for row in self.rows
            if row.employee.pk != part.employee_id
            and any(p.start_date <= part.end_date and p.end_date >= part.start_date for p in row.parts)
        ]

    def days(self) -> list[tuple[dt.date, int, float]]:
        day, out = dt.date(self.year, 1, 1), []
        while day.year == self.year:
            out.append((day, self.away.get(day, 0), self.share(day)))
            day += dt.timedelta(days=1)
        return out


def team_year(user: Any, campaign: Campaign, *, department: Department | None = None) -> TeamYear:
    """The team the user manages (HR: a department's subtree), with their parts: two queries."""
    employees = campaign_employees(campaign).select_related("department", "position")
    if access.is_hr(user):
        if department is not None:
            employees = employees.filter(department__path__startswith=department.path)
    else:
        employees = employees.filter(pk__in=access.visible_employees(user).values("pk"))
        me = access.employee_of(user)
        if me is not None:
            employees = employees.exclude(pk=me.pk)
        if department is not None:
            employees = employees.filter(department__path__startswith=department.path)
    rows = {e.pk: EmployeeYear(employee=e) for e in employees.order_by("department__name", "last_name", "pk")}
    for part in Part.objects.filter(campaign=campaign, employee_id__in=list(rows)).select_related("leave_type"):
        rows[part.employee_id].parts.append(part)
    away: dict[dt.date, int] = defaultdict(int)
    for row in rows.values():
        days: set[dt.date] = set()
        for part in row.parts:
            day = part.start_date
            while day <= part.end_date:
                days.add(day)
                day += dt.timedelta(days=1)
        for day in days:
            away[day] += 1
    return TeamYear(year=campaign.year, rows=list(rows.values()), away=dict(away), size=len(rows))


@dataclass
class DepartmentProgress:
    """One department's line: its counts over the whole department, the names among the page's employees."""

    department: Department
    employees: int = 0
    proposed: int = 0
    short_count: int = 0
    silent: list[Employee] = field(default_factory=list)
    short_only: list[Employee] = field(default_factory=list)
    beyond: list[Employee] = field(default_factory=list)
    submitted: Submission | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.proposed / self.employees) if self.employees else 100

    @property
    def silent_count(self) -> int:
        return self.employees - self.proposed


@dataclass
class Progress:
    rows: list[DepartmentProgress]
    page: CountlessPage
    employees: int
    proposed: int
    submitted: int


SHOWN_NAMES = 20  # names listed per department and column; the rest are counted
PAGE_EMPLOYEES = 50  # employees a page of the progress table covers


def progress(campaign: Campaign, *, page: Any = 1) -> Progress:
    """HR's view of the schedule per department: who has not proposed, whose parts are all under 14 days, who
    plans beyond their entitlement. The table goes page by page over the schedule's employees (grouped by
    department), so a page costs the same for 300 people as for 30,000: the entitlement check reads the ledger of
    a page's employees only (leave.selectors.balances_for_employees: four queries), and a department's counts are
    one grouped query over the departments on the page. The company's totals are two counts."""
    employees = campaign_employees(campaign)
    parts = Part.objects.filter(campaign=campaign, employee=OuterRef("pk"))
    # A part of at least LONG_PART_DAYS calendar days (art. 125).
    long_parts = parts.filter(end_date__gte=F("start_date") + dt.timedelta(days=LONG_PART_DAYS - 1))
    # The company's counts: the parts' employees hashed once (a probe per employee would be 30,000 probes).
    proposing = Part.objects.filter(campaign=campaign).values("employee_id")
    totals = employees.aggregate(employees=Count("pk"), proposed=Count("pk", filter=Q(pk__in=proposing)))
    # The department index, then the names within each department: PostgreSQL reads one page, not the company.
    listed = employees.select_related("department", "position").order_by("department_id", "last_name", "pk")
    current = CountlessPage(listed, PAGE_EMPLOYEES, page)
    people: list[Employee] = current.object_list
    department_ids = list(dict.fromkeys(e.department_id for e in people))
    counts = {
        row["department_id"]: row
        for row in employees.filter(department_id__in=department_ids)
        .values("department_id")
        .annotate(
            employees=Count("pk"),
            proposed=Count("pk", filter=Q(Exists(parts))),
            short=Count("pk", filter=Q(Exists(parts)) & ~Q(Exists(long_parts))),
        )
    }
    planned: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    longest: dict[int, int] = defaultdict(int)
    for employee_id, code, start, end, days, request_id in Part.objects.filter(
        campaign=campaign, employee_id__in=[e.pk for e in people]
    ).values_list("employee_id", "leave_type__code", "start_date", "end_date", "days", "request_id"):
        if request_id is None:  # a part made a request holds its days in the ledger already
            planned[(employee_id, code)] += days
        longest[employee_id] = max(longest[employee_id], (end - start).days + 1)
    submissions = {
        s.department_id: s for s in Submission.objects.filter(campaign=campaign, department_id__in=department_ids)
    }
    with_parts = [e for e in people if e.pk in longest]
    balances = leave_selectors.balances_for_employees(employees=with_parts, on=campaign.last_day)
    by_department: dict[int, DepartmentProgress] = {}
    for employee in people:
        row = by_department.get(employee.department_id)
        if row is None:
            count = counts.get(employee.department_id, {})
            row = by_department[employee.department_id] = DepartmentProgress(
                department=employee.department,
                employees=count.get("employees", 0),
                proposed=count.get("proposed", 0),
                short_count=count.get("short", 0),
                submitted=submissions.get(employee.department_id),
            )
        if employee.pk not in longest:
            row.silent.append(employee)
            continue
        if longest[employee.pk] < LONG_PART_DAYS:
            row.short_only.append(employee)
        for balance in balances.get(employee.pk, []):
            if planned.get((employee.pk, balance.leave_type), Decimal("0")) > balance.available:
                row.beyond.append(employee)
                break
    submitted = Submission.objects.filter(campaign=campaign).count()
    return Progress(
        rows=list(by_department.values()),
        page=current,
        employees=totals["employees"],
        proposed=totals["proposed"],
        submitted=submitted,
    )
