"""Employees in the `import_staff` layout (../shared/CONTRACT.md) and pay-rate history.

Four eyes on pay (docs/decisions/imports-and-four-eyes.md): an employee file creates a new employee's first rate
with the hire, as `employee_create` does, and refuses a different rate for someone already in the portal; a
pay-rate file changes pay, so the person who confirms it is not the one who uploaded it, and neither of them
appears in it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from staff.imports import engine
from staff.imports.engine import NEW, SKIP, UPDATE, Context, RowPlan
from staff.imports.staff_kinds import BATCH, DepartmentIndex, _own_numbers
from staff.minimum_wage import minimum_wage
from staff.models import Employee, PayRate, Position
from staff.services import FTE_MAX, FTE_MIN, pay_rate_record

User = get_user_model()

EMPLOYEE_COLUMNS = (
    "personnel_number", "last_name", "first_name", "middle_name", "email", "department", "position", "manager",
    "hire_date", "fte", "salary",
)  # fmt: skip
# (model field, column, label) compared for an employee already in the portal.
COMPARED = (
    ("last_name", "last_name", gettext_lazy("surname")),
    ("first_name", "first_name", gettext_lazy("first name")),
    ("patronymic", "middle_name", gettext_lazy("patronymic")),
    ("email", "email", gettext_lazy("email")),
)


def check_rate(plan: RowPlan, *, fte: Decimal | None, salary: Decimal | None, on: dt.date | None) -> None:
    """The rules of a rate: FTE within the limits, salary not negative and, for a date, not below the minimum
    wage × FTE (art. 133)."""
    if fte is not None and not FTE_MIN <= fte <= FTE_MAX:
        plan.error(_("fte: between %(min)s and %(max)s.") % {"min": FTE_MIN, "max": FTE_MAX})
    if salary is not None and salary < 0:
        plan.error(_("salary: cannot be negative."))
    elif salary is not None and fte is not None and on is not None and FTE_MIN <= fte <= FTE_MAX:
        floor = (minimum_wage(on) * fte).quantize(Decimal("0.01"))
        if salary < floor:
            plan.error(
                _("salary: below the minimum wage × FTE on %(date)s (%(floor)s, art. 133).")
                % {"date": engine.as_text(on), "floor": engine.as_text(floor)}
            )


def _latest_rates(employee_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    latest: dict[int, tuple[Decimal, Decimal]] = {}
    rows = (
        PayRate.objects.filter(employee_id__in=employee_ids, superseded_at__isnull=True)
        .order_by("employee_id", "effective_date")
        .values_list("employee_id", "fte", "salary")
    )
    for employee_id, fte, salary in rows.iterator(chunk_size=BATCH):
        latest[employee_id] = (fte, salary)  # ordered by date: the last one wins
    return latest


def plan_employees(rows: list[tuple[int, dict[str, Any]]], context: Context) -> list[RowPlan]:
    departments = DepartmentIndex()
    positions = {name.casefold(): (pk, name) for pk, name in Position.objects.values_list("pk", "name")}
    position_names = {pk: name for pk, name in positions.values()}
    existing = {e.personnel_number: e for e in Employee.objects.all().iterator(chunk_size=BATCH)}
    number_of = {e.pk: number for number, e in existing.items()}
    rates = _latest_rates([e.pk for e in existing.values()])
    usernames = set(User.objects.values_list("username", flat=True))
    numbers_in_file = {engine.text(row, "personnel_number") for _line, row in rows}
    plans = []
    for done, (line, row) in enumerate(rows, start=1):
        number = engine.text(row, "personnel_number")
        plan = RowPlan(line=line, key=number)
        engine.required_text(plan, row, "personnel_number", max_length=20)
        values = {
            field: engine.required_text(plan, row, column, max_length=100)
            for field, column, _label in COMPARED
            if field in ("last_name", "first_name")
        }
        values["patronymic"] = engine.text(row, "middle_name")[:100]
        values["email"] = engine.text(row, "email").lower()
        try:
            validate_email(values["email"])
        except DjangoValidationError:
            plan.error(_("email: “%(value)s” is not an email address.") % {"value": values["email"][:100] or "—"})
        department_value = engine.text(row, "department")
        department_id = departments.find(plan, department_value) if department_value else None
        if not department_value:
            plan.error(_("department: required."))
        position_name = engine.text(row, "position")
        position_id = None
        if position_name:
            found = positions.get(position_name.casefold())
            if found is None:
                plan.error(
                    _("position: no position “%(name)s”; import the positions first.") % {"name": position_name[:200]}
                )
            else:
                position_id = found[0]
        manager = engine.text(row, "manager")
        if manager and manager == number:
            plan.error(_("manager: an employee cannot be their own manager."))
        elif manager and manager not in existing and manager not in numbers_in_file:
            plan.error(_("manager: no employee with the personnel number “%(number)s”.") % {"number": manager[:20]})
        hire_date = engine.parse_date(plan, row, "hire_date")
        fte = engine.parse_decimal(plan, row, "fte", required=number not in existing)
        salary = engine.parse_decimal(plan, row, "salary", required=number not in existing)
        plan.data = {
            **values,
            "number": number,
            "department_id": department_id,
            "position_id": position_id,
            "manager": manager,
            "hire_date": hire_date,
            "fte": fte,
            "salary": salary,
        }
        current = existing.get(number)
        if current is not None and current.email.lower() == values["email"]:
            values["email"] = plan.data["email"] = current.email  # an address's case is no change
        if current is None:
            check_rate(plan, fte=fte, salary=salary, on=hire_date)
            if number in usernames:
                plan.error(_("The login “%(login)s” is taken by another user.") % {"login": number})
            if not plan.errors:
                plan.status = NEW
                for label, value in (
                    (
                        _("full name"),
                        " ".join(p for p in (values["last_name"], values["first_name"], values["patronymic"]) if p),
                    ),
                    (_("email"), values["email"]),
                    (_("department"), departments.path_of.get(department_id)),
                    (_("position"), position_names.get(position_id)),
                    (_("manager (override)"), manager),
                    (_("hire date"), hire_date),
                    (_("FTE"), fte),
                    (_("monthly salary, RUB"), salary),
                ):
                    if value not in (None, ""):
                        plan.change(label, None, value)
        else:
            plan.data["pk"] = current.pk
            if hire_date and hire_date != current.hire_date:
                plan.error(
                    _("hire_date: differs from the portal's %(date)s; correct it in the employee's card.")
                    % {"date": engine.as_text(current.hire_date)}
                )
            rate = rates.get(current.pk)
            if fte is not None or salary is not None:
                wanted = (
                    fte if fte is not None else rate and rate[0],
                    salary if salary is not None else rate and rate[1],
                )
                if wanted != rate:
                    plan.error(
                        _(
                            "fte/salary: differ from the current rate (%(fte)s × %(salary)s); a change of pay is a "
                            "rate-change request or a pay-rate import, confirmed by a second person."
                        )
                        % {
                            "fte": engine.as_text(rate[0] if rate else None),
                            "salary": engine.as_text(rate[1] if rate else None),
                        }
                    )
            if not plan.errors:
                for field, _column, label in COMPARED:
                    if getattr(current, field) != values[field]:
                        plan.change(label, getattr(current, field), values[field])
                if current.department_id != department_id:
                    plan.change(
                        _("department"),
                        departments.path_of.get(current.department_id),
                        departments.path_of.get(department_id),
                    )
                if current.position_id != position_id:
                    plan.change(_("position"), position_names.get(current.position_id), position_names.get(position_id))
                old_manager = number_of.get(current.manager_override_id, "")
                if old_manager != manager:
                    plan.change(_("manager (override)"), old_manager, manager)
                plan.status = UPDATE if plan.changes else SKIP
        plans.append(plan)
        if done % BATCH == 0:
            engine.report_progress(context, done, len(rows))
    engine.mark_repeats(plans)
    return plans


def apply_employees(plans: list[RowPlan], context: Context) -> None:
    total = len(plans)
    new = [p for p in plans if p.status == NEW]
    for start in range(0, len(new), BATCH):
        chunk = new[start : start + BATCH]
        users = [
            User(
                username=p.key,
                email=p.data["email"],
                first_name=p.data["first_name"][:150],
                last_name=p.data["last_name"][:150],
            )
            for p in chunk
        ]
        for user in users:
            user.set_unusable_password()  # they sign in through the directory, or HR sets a password
        users = bulk_create_with_history(
            users, User, batch_size=BATCH, default_user=context.actor, default_change_reason=context.reason
        )
        user_ids = dict(User.objects.filter(username__in=[p.key for p in chunk]).values_list("username", "pk"))
        employees = [
            Employee(
                user_id=user_ids[p.key],
                personnel_number=p.key,
                last_name=p.data["last_name"],
                first_name=p.data["first_name"],
                patronymic=p.data["patronymic"],
                email=p.data["email"],
                department_id=p.data["department_id"],
                position_id=p.data["position_id"],
                hire_date=p.data["hire_date"],
            )
            for p in chunk
        ]
        bulk_create_with_history(
            employees, Employee, batch_size=BATCH, default_user=context.actor, default_change_reason=context.reason
        )
        ids = dict(
            Employee.objects.filter(personnel_number__in=[p.key for p in chunk]).values_list("personnel_number", "pk")
        )
        # The first rate comes with the hire, as employee_create records it: not a change of pay.
        rates = [
            PayRate(
                employee_id=ids[p.key],
                effective_date=p.data["hire_date"],
                fte=p.data["fte"],
                salary=p.data["salary"],
                created_by=context.actor,
                comment=context.reason,
            )
            for p in chunk
        ]
        bulk_create_with_history(
            rates, PayRate, batch_size=BATCH, default_user=context.actor, default_change_reason=context.reason
        )
        engine.report_progress(context, start + len(chunk), total)
    # Then every change and every manager, now that the file's new employees exist: bulk UPDATEs, and one
    # history row per employee changed (simple-history's bulk helper).
    numbers = [p.key for p in plans] + [p.data["manager"] for p in plans if p.data["manager"]]
    ids = dict(Employee.objects.filter(personnel_number__in=numbers).values_list("personnel_number", "pk"))
    by_pk = Employee.objects.select_for_update().in_bulk([ids[p.key] for p in plans])
    changed: dict[tuple[str, ...], list[Employee]] = defaultdict(list)
    managed = []
    for plan in plans:
        manager_id = ids[plan.data["manager"]] if plan.data["manager"] else None
        employee = by_pk[ids[plan.key]]
        if plan.status == NEW:
            if manager_id is not None:
                employee.manager_override_id = manager_id
                managed.append(employee)  # only the manager to set: a one-column UPDATE
            continue
        wanted = {**{field: plan.data[field] for field in UPDATED_FIELDS[:-1]}, "manager_override_id": manager_id}
        fields = tuple(field for field, value in wanted.items() if getattr(employee, field) != value)
        for field in fields:
            setattr(employee, field, wanted[field])
        changed[fields].append(employee)  # grouped by the columns that change: each UPDATE sets only those
    for fields, rows in [(("manager_override_id",), managed), *changed.items()]:
        bulk_update_with_history(
            rows, Employee, list(fields), batch_size=BATCH, default_user=context.actor,
            default_change_reason=context.reason,
        )  # fmt: skip
    engine.report_progress(context, total, total)


UPDATED_FIELDS = ["last_name", "first_name", "patronymic", "email", "department_id", "position_id",
                  "manager_override_id"]  # fmt: skip


engine.register(
    engine.Kind(
        code="employees",
        label=gettext_lazy("employees"),
        columns=EMPLOYEE_COLUMNS,
        required=EMPLOYEE_COLUMNS,
        plan=plan_employees,
        apply=apply_employees,
        sample="docs/imports/employees.csv",
    )
)


# --- pay-rate history -----------------------------------------------------------------------------

RATE_COLUMNS = ("personnel_number", "effective_date", "fte", "salary", "comment")


def plan_rates(rows: list[tuple[int, dict[str, Any]]], context: Context) -> list[RowPlan]:
    employees = {e.personnel_number: e for e in Employee.objects.all().iterator(chunk_size=BATCH)}
    current = {
        (r.employee_id, r.effective_date): r
        for r in PayRate.objects.filter(superseded_at__isnull=True).iterator(chunk_size=BATCH)
    }
    own = _own_numbers(context)
    plans = []
    for line, row in rows:
        number = engine.text(row, "personnel_number")
        plan = RowPlan(line=line)
        employee = employees.get(number)
        if employee is None:
            plan.error(_("personnel_number: no employee “%(number)s”.") % {"number": number[:20] or "—"})
        elif number in own:
            plan.error(_("Nobody changes their own pay: another HR member imports this row."))
        effective = engine.parse_date(plan, row, "effective_date")
        fte = engine.parse_decimal(plan, row, "fte")
        salary = engine.parse_decimal(plan, row, "salary")
        check_rate(plan, fte=fte, salary=salary, on=effective)
        comment = engine.text(row, "comment")[:200]
        plan.key = f"{number} {engine.as_text(effective)}"
        if employee is not None and effective is not None and effective < employee.hire_date:
            plan.error(
                _("effective_date: before the hire date %(date)s.") % {"date": engine.as_text(employee.hire_date)}
            )
        plan.data = {"number": number, "effective_date": effective, "fte": fte, "salary": salary, "comment": comment}
        if not plan.errors:
            rate = current.get((employee.pk, effective))
            if rate is None:
                plan.change(_("FTE"), None, fte)
                plan.change(_("monthly salary, RUB"), None, salary)
                plan.status = NEW
            elif (rate.fte, rate.salary) != (fte, salary):
                plan.change(_("FTE"), rate.fte, fte)
                plan.change(_("monthly salary, RUB"), rate.salary, salary)
                plan.status = UPDATE
        plans.append(plan)
    engine.mark_repeats(plans)
    return plans


def apply_rates(plans: list[RowPlan], context: Context) -> None:
    employees = Employee.objects.in_bulk([p.data["number"] for p in plans], field_name="personnel_number")
    for plan in engine.each_reported(context, plans):
        data = plan.data
        comment = engine.row_comment(context, data)
        pay_rate_record(
            employee=employees[data["number"]],
            effective_date=data["effective_date"],
            fte=data["fte"],
            salary=data["salary"],
            actor=context.actor,
            comment=comment[:300],
        )


engine.register(
    engine.Kind(
        code="pay_rates",
        label=gettext_lazy("pay-rate history"),
        columns=RATE_COLUMNS,
        required=("personnel_number", "effective_date", "fte", "salary"),
        plan=plan_rates,
        apply=apply_rates,
        sample="docs/imports/pay_rates.csv",
        changes_pay=True,
    )
)
