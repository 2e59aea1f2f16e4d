"""The team calendar: a month grid of the absences in the user's visible subtree — leave and trips requested
(pending or approved) and absences HR recorded without a request — in a fixed number of queries."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from hrportal.dates import EARLIEST, LATEST
from hrportal.pages import CountlessPage, page_view, query_without_page
from leave import selectors
from leave.calc.dates import add_months
from leave.models import Absence, LeaveType
from requests_app.models import Request
from staff import access
from staff.models import Department, Employee
from staff.selectors import in_department_tree

ROWS_PER_PAGE = 50


@dataclass
class Cell:
    day: dt.date
    classes: list[str] = field(default_factory=list)
    letter: str = ""
    title: str = ""
    url: str = ""


@dataclass
class Row:
    employee: Employee
    cells: list[Cell]


KIND_LETTERS = {
    # Short marks for the grid; the legend explains them.
    "leave": gettext_lazy("L"),
    "business_trip": gettext_lazy("T"),
    "sick": gettext_lazy("S"),
    "unpaid": gettext_lazy("U"),
}
KIND_NAMES = dict(Absence.Kind.choices)


def _month(value: str | None, today: dt.date) -> dt.date:
    """The month asked for (YYYY-MM), else the current one; its neighbours are links on the page, so they stay
    inside the portal's date window too."""
    try:
        year, month = (int(part) for part in (value or "")[:7].split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    return first if EARLIEST.year < first.year < LATEST.year else today.replace(day=1)


def calendar_employees(user: Any, department_id: int | None) -> QuerySet[Employee]:
    qs = access.visible_employees(user).filter(user__is_active=True)
    if department_id is not None:
        qs = in_department_tree(qs, department_id)
    return qs.order_by("department__path", "last_name", "first_name", "pk")


def department_choices(user: Any, selected: Department | None) -> list[Department]:
    """The department dropdown: the selected department's way up, itself and its children; with none selected,
    the tops of what the user sees (HR: the root; a manager: the departments they head or stand in for, and
    their own) and their children. A few dozen options whatever the size of the tree: every visible department
    made a select of 1,200 options for the top head of a 30,000-person company, and finding the tops of the
    visible set read every employee of it. Only departments the user may see are offered."""
    own = access.employee_of(user)
    paths = access.managed_paths(user)
    if selected is not None:
        ancestors = [int(part) for part in selected.path.strip("/").split("/") if part]
        wanted = Q(pk__in=ancestors) | Q(parent_id=selected.pk)
    else:
        tops = (
            Q(parent__isnull=True)
            if access.is_hr(user)
            else Q(path__in=paths) | Q(pk=own.department_id if own else None)
        )
        wanted = tops | Q(parent__in=Department.objects.filter(tops))
    hr = access.is_hr(user)
    return [
        d
        for d in Department.objects.filter(wanted).order_by("path")
        if hr or any(d.path.startswith(p) for p in paths) or (own is not None and d.pk == own.department_id)
    ]


def absences_by_employee(*, employee_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[dict[str, Any]]]:
    """Pending and approved leave and trips, and absences HR recorded without a request: two queries."""
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    requests = (
        Request.objects.filter(
            employee_id__in=employee_ids,
            kind__in=Request.ABSENCE_KINDS,
            status__in=[Request.Status.PENDING, Request.Status.APPROVED],
            start_date__lte=end,
            end_date__gte=start,
        )
        .select_related("leave__leave_type")
        .order_by("start_date", "id")
    )
    for item in requests:
        kind = item.kind
        if kind == Request.Kind.LEAVE and item.leave.leave_type.absence_kind == LeaveType.AbsenceKind.UNPAID:
            kind = "unpaid"
        result[item.employee_id].append(
            {
                "kind": kind,
                "pending": item.status == Request.Status.PENDING,
                "start": item.start_date,
                "end": item.end_date,
                "request_id": item.pk,
            }
        )
    recorded = Absence.objects.filter(
        employee_id__in=employee_ids,
        cancelled_at__isnull=True,
        request_id__isnull=True,
        start_date__lte=end,
        end_date__gte=start,
    ).values_list("employee_id", "kind", "start_date", "end_date")
    for employee_id, kind, absence_start, absence_end in recorded:
        result[employee_id].append(
            {"kind": kind, "pending": False, "start": absence_start, "end": absence_end, "request_id": None}
        )
    return result


def _cells(days: list[dt.date], day_classes: dict[dt.date, list[str]], absences: list[dict[str, Any]]) -> list[Cell]:
    cells = []
    for day in days:
        cell = Cell(day=day, classes=list(day_classes[day]))
        for absence in absences:
            if absence["start"] <= day <= absence["end"]:
                state = _("awaiting approval") if absence["pending"] else _("approved")
                cell.classes += ["absent", f"k-{absence['kind']}", "pending" if absence["pending"] else "approved"]
                cell.letter = str(KIND_LETTERS[absence["kind"]])
                cell.title = (
                    f"{KIND_NAMES[absence['kind']]} ({state}), {absence['start']:%d.%m} – {absence['end']:%d.%m}"
                )
                if absence["request_id"]:
                    cell.url = reverse("request-detail", kwargs={"request_id": absence["request_id"]})
                break
        cells.append(cell)
    return cells


@page_view
@require_GET
def team_calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    month = _month(request.GET.get("month"), today)
    last = month.replace(day=pycalendar.monthrange(month.year, month.month)[1])
    raw_department = request.GET.get("department", "")
    selected = None
    if raw_department.isdigit():
        selected = access.visible_departments(request.user).filter(pk=int(raw_department)).first()
    department_id = selected.pk if selected is not None else None
    departments = department_choices(request.user, selected)
    # Not counted: the count of a head's subtree reads every employee of it (CountlessPage).
    page = CountlessPage(calendar_employees(request.user, department_id), ROWS_PER_PAGE, request.GET.get("page"))
    employees = list(page.object_list)
    absences = absences_by_employee(employee_ids=[e.pk for e in employees], start=month, end=last)
    production = selectors.production_calendar(start=month, end=last)
    provisional = selectors.provisional_years(start=month, end=last)
    days = [month + dt.timedelta(days=i) for i in range((last - month).days + 1)]
    day_classes: dict[dt.date, list[str]] = {}
    for day in days:
        classes = []
        if not production.is_working_day(day):
            classes.append("holiday" if production.is_public_holiday(day) else "weekend")
        if day == today:
            classes.append("today")
        day_classes[day] = classes
    rows = [Row(employee=e, cells=_cells(days, day_classes, absences.get(e.pk, []))) for e in employees]
    absent_per_day = [sum(1 for row in rows if "absent" in row.cells[i].classes) for i in range(len(days))]
    context = {
        "month": month,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "days": [{"date": d, "classes": day_classes[d]} for d in days],
        "rows": rows,
        "absent_per_day": absent_per_day,
        "page": page,
        "departments": departments if len(departments) > 1 else [],
        "department_id": department_id,
        "query": query_without_page(request),
        "letters": [(KIND_LETTERS[k], KIND_NAMES[k]) for k in KIND_LETTERS],
        "provisional": provisional,
    }
    return render(request, "leave/team_calendar.html", context)
