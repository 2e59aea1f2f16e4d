"""The staff imports: departments, positions, employees (the `import_staff` layout) and pay-rate history.

Each `plan_*` loads what it compares against in a few queries (not one per row), so a file of 10 000 employees
is planned in memory; each `apply_*` writes in bulk where rows are new and row by row where they change, every
write with a history row carrying the actor and the file name (simple-history's change reason).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.imports import engine
from staff.imports.engine import NEW, SKIP, UPDATE, Context, RowPlan
from staff.models import Department, Employee, Position
from staff.services import department_save

User = get_user_model()
BATCH = 1000


def _stamp(instance: Any, context: Context) -> None:
    instance._change_reason = context.reason
    if context.actor is not None:
        instance._history_user = context.actor


def _own_numbers(context: Context) -> set[str]:
    """The personnel numbers of the people behind the import: nobody changes their own pay (four eyes)."""
    users = [u.pk for u in (context.actor, context.uploaded_by) if u is not None and getattr(u, "pk", None)]
    return set(Employee.objects.filter(user_id__in=users).values_list("personnel_number", flat=True))


# --- departments ----------------------------------------------------------------------------------


class DepartmentIndex:
    """Departments by code and by name path ("Компания/Продажи/Москва", case and spaces around "/" ignored)."""

    def __init__(self) -> None:
        rows = list(Department.objects.values_list("pk", "code", "name", "parent_id"))
        by_pk = {pk: (code, name, parent) for pk, code, name, parent in rows}
        self.by_code = {code: pk for pk, (code, _n, _p) in by_pk.items() if code}
        self.by_path: dict[str, list[int]] = defaultdict(list)
        self.path_of: dict[int, str] = {}
        for pk in by_pk:
            names, seen, current = [], set(), pk
            while current is not None and current not in seen:
                seen.add(current)
                names.append(by_pk[current][1])
                current = by_pk[current][2]
            path = "/".join(reversed(names))
            self.path_of[pk] = path
            self.by_path[self.norm(path)].append(pk)

    @staticmethod
    def norm(path: str) -> str:
        return "/".join(part.strip().casefold() for part in path.strip().strip("/").split("/"))

    def find(self, plan: RowPlan, value: str) -> int | None:
        if value in self.by_code:
            return self.by_code[value]
        found = self.by_path.get(self.norm(value), [])
        if len(found) == 1:
            return found[0]
        if found:
            plan.error(
                _("department: “%(value)s” names %(count)s departments; give its code.")
                % {"value": value[:200], "count": len(found)}
            )
        else:
            plan.error(_("department: no department with the code or path “%(value)s”.") % {"value": value[:200]})
        return None


DEPARTMENT_COLUMNS = ("code", "name", "parent", "head")


def plan_departments(rows: list[tuple[int, dict[str, Any]]], context: Context) -> list[RowPlan]:
    existing = {d.code: d for d in Department.objects.exclude(code="").select_related("parent", "head")}
    heads = dict(Employee.objects.values_list("personnel_number", "pk"))
    in_file = {engine.text(row, "code") for _line, row in rows}
    plans, parents = [], {}
    for line, row in rows:
        code = engine.text(row, "code")
        plan = RowPlan(line=line, key=code)
        engine.required_text(plan, row, "code", max_length=50)
        name = engine.required_text(plan, row, "name", max_length=200)
        parent = engine.text(row, "parent")
        if parent and parent not in existing and parent not in in_file:
            plan.error(_("parent: no department with the code “%(code)s”.") % {"code": parent[:50]})
        if parent == code and code:
            plan.error(_("A department cannot be inside itself."))
        head = engine.text(row, "head")
        if head and head not in heads:
            plan.error(_("head: no employee with the personnel number “%(number)s”.") % {"number": head[:20]})
        parents[code] = parent
        plan.data = {"code": code, "name": name, "parent": parent, "head": head}
        current = existing.get(code)
        if current is None:
            plan.status = NEW if not plan.errors else plan.status
        elif not plan.errors:
            old_head = current.head.personnel_number if current.head else ""
            old_parent = current.parent.code if current.parent else ""
            for label, old, new in (
                (_("name"), current.name, name),
                (_("parent"), old_parent, parent),
                (_("head"), old_head, head),
            ):
                if old != new:
                    plan.change(label, old, new)
            plan.status = UPDATE if plan.changes else SKIP
        plans.append(plan)
    engine.mark_repeats(plans)
    # A cycle through the file's parents (A in B, B in A) is an error on each of its rows.
    for plan in plans:
        seen, code = set(), plan.key
        while code and code not in seen:
            seen.add(code)
            if code in parents:
                code = parents[code]
            else:
                parent = existing[code].parent if code in existing else None
                code = parent.code if parent else ""
        if code and code in seen and plan.status != engine.ERROR:
            plan.error(_("A department cannot be inside itself."))
    return plans


def apply_departments(plans: list[RowPlan], context: Context) -> None:
    by_code = {d.code: d for d in Department.objects.exclude(code="")}
    heads = dict(Employee.objects.values_list("personnel_number", "pk"))
    pending = {p.key: p for p in plans}
    done = 0
    while pending:
        # Parents first: a row waits while its parent is still to be written in this file.
        ready = [p for p in pending.values() if p.data["parent"] not in pending or p.data["parent"] == p.key]
        for plan in ready:
            data = plan.data
            department = by_code.get(data["code"]) or Department(code=data["code"])
            department.name = data["name"]
            department.parent = by_code[data["parent"]] if data["parent"] else None
            department.head_id = heads.get(data["head"]) if data["head"] else None
            _stamp(department, context)
            by_code[data["code"]] = department_save(department=department)
            del pending[plan.key]
            done += 1
            engine.report_progress(context, done, len(plans))


engine.register(
    engine.Kind(
        code="departments",
        label=gettext_lazy("departments"),
        columns=DEPARTMENT_COLUMNS,
        required=("code", "name", "parent"),
        plan=plan_departments,
        apply=apply_departments,
        sample="docs/imports/departments.csv",
    )
)


# --- positions ------------------------------------------------------------------------------------

POSITION_COLUMNS = ("name", "extra_leave_days")


def plan_positions(rows: list[tuple[int, dict[str, Any]]], context: Context) -> list[RowPlan]:
    existing = {p.name.casefold(): p for p in Position.objects.all()}
    plans = []
    for line, row in rows:
        plan = RowPlan(line=line, key=engine.text(row, "name").casefold())
        name = engine.required_text(plan, row, "name", max_length=200)
        days = engine.parse_decimal(plan, row, "extra_leave_days", required=False) or Decimal("0.00")
        if not Decimal("0") <= days <= Decimal("365"):
            plan.error(_("extra_leave_days: between 0 and 365."))
        plan.data = {"name": name, "extra_leave_days": days}
        current = existing.get(plan.key)
        if plan.errors:
            pass
        elif current is None:
            plan.status = NEW
        else:
            if current.extra_leave_days != days:
                plan.change(_("additional leave days a year"), current.extra_leave_days, days)
            plan.status = UPDATE if plan.changes else SKIP
        plan.key = name
        plans.append(plan)
    engine.mark_repeats(plans)
    return plans


def apply_positions(plans: list[RowPlan], context: Context) -> None:
    existing = {p.name.casefold(): p for p in Position.objects.select_for_update()}
    for done, plan in enumerate(plans, start=1):
        position = existing.get(plan.data["name"].casefold()) or Position(name=plan.data["name"])
        position.extra_leave_days = plan.data["extra_leave_days"]
        _stamp(position, context)
        position.save()
        engine.report_progress(context, done, len(plans))


engine.register(
    engine.Kind(
        code="positions",
        label=gettext_lazy("positions"),
        columns=POSITION_COLUMNS,
        required=("name",),
        plan=plan_positions,
        apply=apply_positions,
        sample="docs/imports/positions.csv",
    )
)
