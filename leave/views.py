"""HTML pages of leave: the live quote (an htmx fragment, also rendered inside the leave form) and the
team calendar (a month grid of absences in the user's visible subtree, in a fixed number of queries)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from hrportal.errors import ApplicationError
from hrportal.ui_errors import error_text
from leave import calc, selectors, services
from leave.calc.dates import add_months
from leave.models import Absence, LeaveType
from staff import access
from staff.models import Employee
from staff.selectors import in_department_tree
from staff.views import add_service_errors, page_view, query_without_page, render_page

# --- the quote -------------------------------------------------------------------------------------------


def quote_context(
    *, user: Any, employee: Employee, leave_type: LeaveType, start_date: dt.date, end_date: dt.date
) -> dict[str, Any]:
    """What the quote fragment shows; pay only to whoever may see the employee's earnings."""
    include_pay = access.can_see_salary(user, employee)
    try:
        quote = selectors.quote(
            employee=employee,
            leave_type=leave_type,
            start_date=start_date,
            end_date=end_date,
            include_pay=include_pay,
        )
    except ApplicationError as exc:
        return {"error": error_text(exc)}
    holidays = [{"date": day, "name": quote.holiday_names.get(day, "")} for day in quote.holidays_excluded]
    months = [
        {
            "month": dt.date.fromisoformat(f"{row['month']}-01"),
            "calendar_days": row["calendar_days"],
            "worked_calendar_days": row["worked_calendar_days"],
            "excluded_days": row["excluded_days"],
            "days_counted": Decimal(row["days_counted"]),
            "earnings": Decimal(row["earnings"]),
        }
        for row in quote.breakdown
    ]
    return {
        "quote": quote,
        "leave_type": leave_type,
        "holidays": holidays,
        "months": months,
        "include_pay": include_pay and quote.vacation_pay is not None,
    }


@page_view
@require_GET
def leave_quote(request: HttpRequest) -> HttpResponse:
    """The quote fragment for the leave form (htmx swaps it in while the dates change)."""
    from requests_app.forms import LeaveRequestForm

    me = access.employee_of(request.user)
    context: dict[str, Any] = {}
    form = LeaveRequestForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    if me is None:
        context["error"] = _("Only employees file leave requests.")
    elif form.has_error("end_date") and data.get("start_date"):
        context["error"] = " ".join(form.errors["end_date"])
    elif data.get("leave_type") and data.get("start_date") and data.get("end_date"):
        context = quote_context(
            user=request.user,
            employee=me,
            leave_type=data["leave_type"],
            start_date=data["start_date"],
            end_date=data["end_date"],
        )
    return render(request, "leave/_quote.html", {"q": context})


# --- the team calendar -----------------------------------------------------------------------------------

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
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def calendar_employees(user: Any, department_id: int | None) -> QuerySet[Employee]:
    qs = access.visible_employees(user).filter(user__is_active=True)
    if department_id is not None:
        qs = in_department_tree(qs, department_id)
    return qs.order_by("department__path", "last_name", "first_name", "pk")


def absences_by_employee(*, employee_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[dict[str, Any]]]:
    """Pending and approved leave and trips, and absences HR recorded without a request: two queries."""
    from requests_app.models import Request

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
    departments = list(access.visible_departments(request.user).order_by("path"))
    department_id = None
    raw_department = request.GET.get("department", "")
    if raw_department.isdigit() and int(raw_department) in {d.pk for d in departments}:
        department_id = int(raw_department)
    page = Paginator(calendar_employees(request.user, department_id), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    employees = list(page.object_list)
    absences = absences_by_employee(employee_ids=[e.pk for e in employees], start=month, end=last)
    production = selectors.production_calendar(start=month, end=last)
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
    }
    return render_page(request, "leave/team_calendar.html", context)


# --- settlement on dismissal (HR) ------------------------------------------------------------------------


class SettlementForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Dismissal date (last day of work)"), widget=forms.DateInput({"type": "date"})
    )
    ground = forms.ChoiceField(
        label=gettext_lazy("Ground"),
        choices=[(code, f"{code} — {g.article}") for code, g in calc.working_year.GROUNDS.items()],
    )


@page_view
@require_http_methods(["GET", "POST"])
def leave_settlement(request: HttpRequest, employee_id: int) -> HttpResponse:
    """HR's page: the leave a dismissal settles, with its breakdown by working year (art. 127, rules 28 and 35,
    art. 137); "Record" keeps it on the employee (leave.services.settlement_record)."""
    if not access.is_hr(request.user):
        raise PermissionDenied
    employee = access.access_employee(request.user, employee_id)
    initial = {"on": employee.termination_date or timezone.localdate(), "ground": "own_wish"}
    form = SettlementForm(request.POST if request.method == "POST" else (request.GET or None), initial=initial)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if request.method == "POST":
                services.settlement_record(employee=employee, on=data["on"], ground=data["ground"], actor=request.user)
                messages.success(request, _("The settlement is recorded."))
                return redirect(
                    f"{reverse('leave-settlement-page', args=[employee.pk])}?on={data['on'].isoformat()}"
                    f"&ground={data['ground']}"
                )
            result = selectors.settlement(employee=employee, on=data["on"], ground=data["ground"])
        except ApplicationError as exc:
            add_service_errors(form, exc)
    return render_page(request, "leave/settlement.html", {"employee": employee, "form": form, "result": result})


@page_view
@require_GET
def overdue_leave(request: HttpRequest) -> HttpResponse:
    """HR's list of leave not granted two working years running (art. 124 part 4), on a date (default today)."""
    if not access.is_hr(request.user):
        raise PermissionDenied
    try:
        on = dt.date.fromisoformat(request.GET.get("on", "")) if request.GET.get("on") else timezone.localdate()
    except ValueError:
        on = timezone.localdate()
    return render_page(request, "leave/overdue.html", {"on": on, "items": selectors.overdue_leave(on=on)})
