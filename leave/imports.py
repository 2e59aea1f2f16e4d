"""Imports from payroll for a go-live: absences (sick leave and the rest) and opening leave balances.

Both are kinds of staff.imports.engine (one implementation of reading, planning and writing files). An absence
is written by `absence_record` with a history row naming the file; an opening balance is a ledger adjustment
(the ledger is append-only and carries the actor and a comment naming the file: it is its own audit history).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import update_change_reason

from leave import selectors, services
from leave.models import Absence, LeaveType
from staff.imports import engine
from staff.imports.engine import NEW, UPDATE, Context, RowPlan
from staff.models import Employee

ABSENCE_COLUMNS = ("personnel_number", "kind", "start_date", "end_date", "comment")
BALANCE_COLUMNS = ("personnel_number", "leave_type", "on_date", "days")


def _kind_names() -> dict[str, str]:
    """An absence kind by its code or its label in Russian or English ("больничный" is `sick`)."""
    names = {}
    for kind in Absence.Kind:
        names[kind.value] = kind.value
        for language in ("ru", "en"):
            with translation.override(language):
                names[str(kind.label).casefold()] = kind.value
    names["больничный"] = Absence.Kind.SICK.value  # payroll's usual word for a sick note
    return names


def _employees(rows: list[tuple[int, dict[str, Any]]]) -> dict[str, Employee]:
    numbers = {engine.text(row, "personnel_number") for _line, row in rows}
    return Employee.objects.in_bulk(numbers, field_name="personnel_number")


def plan_absences(rows: list[tuple[int, dict[str, Any]]], context: Context) -> list[RowPlan]:
    kinds = _kind_names()
    employees = _employees(rows)
    active = set(
        Absence.objects.filter(employee__in=employees.values(), cancelled_at__isnull=True).values_list(
            "employee_id", "kind", "start_date", "end_date"
        )
    )
    plans = []
    for line, row in rows:
        number = engine.text(row, "personnel_number")
        plan = RowPlan(line=line)
        employee = employees.get(number)
        if employee is None:
            plan.error(_("personnel_number: no employee “%(number)s”.") % {"number": number[:20] or "—"})
        raw_kind = engine.text(row, "kind")
        kind = kinds.get(raw_kind.casefold())
        if kind is None:
            plan.error(_("kind: unknown absence kind “%(kind)s”.") % {"kind": raw_kind[:50] or "—"})
        start = engine.parse_date(plan, row, "start_date")
        end = engine.parse_date(plan, row, "end_date")
        if start and end and end < start:
            plan.error(_("The absence cannot end before it starts."))
        if employee is not None and start and start < employee.hire_date:
            plan.error(_("start_date: before the hire date %(date)s.") % {"date": engine.as_text(employee.hire_date)})
        plan.key = f"{number} {raw_kind} {engine.as_text(start)}–{engine.as_text(end)}"
        plan.data = {
            "number": number,
            "kind": kind,
            "start": start,
            "end": end,
            "comment": engine.text(row, "comment")[:300],
        }
        if not plan.errors and (employee.pk, kind, start, end) not in active:
            plan.status = NEW
        plans.append(plan)
    engine.mark_repeats(plans)
    return plans


def apply_absences(plans: list[RowPlan], context: Context) -> None:
    employees = Employee.objects.in_bulk([p.data["number"] for p in plans], field_name="personnel_number")
    for plan in engine.each_reported(context, plans):
        data = plan.data
        comment = engine.row_comment(context, data)
        absence = services.absence_record(
            employee=employees[data["number"]],
            kind=data["kind"],
            start_date=data["start"],
            end_date=data["end"],
            comment=comment[:500],
        )
        update_change_reason(absence, context.reason)
        if context.actor is not None:
            absence.history.filter(history_id=absence.history.latest().history_id).update(history_user=context.actor)


engine.register(
    engine.Kind(
        code="absences",
        label=gettext_lazy("absences"),
        columns=ABSENCE_COLUMNS,
        required=("personnel_number", "kind", "start_date", "end_date"),
        plan=plan_absences,
        apply=apply_absences,
        sample="docs/imports/absences.csv",
    )
)


def plan_balances(rows: list[tuple[int, dict[str, Any]]], context: Context) -> list[RowPlan]:
    """The figure is what payroll says is available on the date; the portal writes the difference to its own
    figure as an adjustment on that date, so a second import of the same file finds nothing to change."""
    types = {}
    for leave_type in LeaveType.objects.filter(needs_balance=True):
        for name in (leave_type.code, leave_type.name_ru, leave_type.name_en):
            types[name.casefold()] = leave_type
    employees = _employees(rows)
    plans = []
    for line, row in rows:
        number = engine.text(row, "personnel_number")
        plan = RowPlan(line=line)
        employee = employees.get(number)
        if employee is None:
            plan.error(_("personnel_number: no employee “%(number)s”.") % {"number": number[:20] or "—"})
        raw_type = engine.text(row, "leave_type")
        leave_type = types.get(raw_type.casefold())
        if leave_type is None:
            plan.error(
                _("leave_type: no leave type with a balance called “%(name)s”.") % {"name": raw_type[:50] or "—"}
            )
        on = engine.parse_date(plan, row, "on_date")
        days = engine.parse_decimal(plan, row, "days")
        if days is not None and abs(days) > services.MAX_LEAVE_DAYS:
            plan.error(_("days: at most %(max)s.") % {"max": services.MAX_LEAVE_DAYS})
        if employee is not None and on is not None and on < employee.hire_date:
            plan.error(_("on_date: before the hire date %(date)s.") % {"date": engine.as_text(employee.hire_date)})
        plan.key = f"{number} {raw_type} {engine.as_text(on)}"
        if not plan.errors:
            available = selectors.balance(employee=employee, leave_type=leave_type, on=on).available
            plan.data = {"number": number, "leave_type": leave_type.code, "on": on, "difference": days - available}
            if days != available:
                plan.change(_("available days"), available, days)
                plan.status = UPDATE
        plans.append(plan)
    engine.mark_repeats(plans)
    return plans


def apply_balances(plans: list[RowPlan], context: Context) -> None:
    employees = Employee.objects.in_bulk([p.data["number"] for p in plans], field_name="personnel_number")
    for plan in engine.each_reported(context, plans):
        data = plan.data
        services.leave_adjust(
            employee=employees[data["number"]],
            leave_type=data["leave_type"],
            days=data["difference"],
            actor=context.actor,
            comment=f"opening balance, {context.reason}",
            idempotency_key=f"import:{context.job_id}:{plan.line}" if context.job_id else None,
            effective_date=data["on"],
        )


engine.register(
    engine.Kind(
        code="leave_balances",
        label=gettext_lazy("opening leave balances"),
        columns=BALANCE_COLUMNS,
        required=BALANCE_COLUMNS,
        plan=plan_balances,
        apply=apply_balances,
        sample="docs/imports/leave_balances.csv",
    )
)
