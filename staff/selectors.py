"""Reads about staff: pay rate on a date, the employee list of the API, managers and direct reports by rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, Value
from django.db.models.functions import Upper

from staff.access import visible_departments, visible_employees
from staff.models import Department, Employee, PayRate

CURRENT_RATES_ATTR = "current_rate_rows"


def current_rates() -> QuerySet[PayRate]:
    return PayRate.objects.filter(superseded_at__isnull=True)


def rate_on(employee: Employee | int, on: dt.date) -> PayRate | None:
    """The rate in force on a date: one indexed query (payrate_current_idx)."""
    employee_id = employee if isinstance(employee, int) else employee.pk
    return current_rates().filter(employee_id=employee_id, effective_date__lte=on).order_by("-effective_date").first()


def rate_history(employee: Employee | int) -> list[PayRate]:
    employee_id = employee if isinstance(employee, int) else employee.pk
    return list(current_rates().filter(employee_id=employee_id).order_by("effective_date"))


# --- the employee list ------------------------------------------------------------------------


def employee_search_q(text: str, prefix: str = "") -> Q:
    """Every word of `text` must be in the employee's surname, name, patronymic, personnel number or email: in
    `Employee.search_text`, which holds the five in capitals, a space between them. The login is not searched: it
    lives on another table (auth_user), and the email carries it in this company's addresses."""
    column = f"{prefix}search_text"
    q = Q()
    for word in text.split():
        if connection.vendor == "postgresql":
            # Its UPPER() folds Cyrillic: the word in capitals, as the column holds it; the trigram index serves it.
            q &= Q(**{f"{column}__contains": Upper(Value(word))})
            continue
        # SQLite's LIKE and UPPER() fold ASCII only, so "иванов" would miss "Иванов": the usual spellings of the word.
        spellings = Q()
        for spelling in {word, word.lower(), word.upper(), word.capitalize(), word.title()}:
            spellings |= Q(**{f"{column}__icontains": spelling})
        q &= spellings
    return q


def in_department_tree(qs: QuerySet[Employee], department_id: int) -> QuerySet[Employee]:
    root = Department.objects.filter(pk=department_id).values_list("path", flat=True).first()
    return qs.filter(department__path__startswith=root) if root else qs.none()


def employee_list(*, user: Any) -> QuerySet[Employee]:
    """The employees `user` may see, ordered by name with the id as a stable tie-break (the API's filter set
    narrows it)."""
    return visible_employees(user).order_by("last_name", "first_name", "patronymic", "pk")


def with_current_rates(qs: QuerySet[Employee]) -> QuerySet[Employee]:
    """Prefetch each employee's current (not superseded) rate rows in one query."""
    return qs.prefetch_related(
        Prefetch("rates", queryset=current_rates().order_by("effective_date"), to_attr=CURRENT_RATES_ATTR)
    )


def current_rate(employee: Employee, on: dt.date) -> PayRate | None:
    """The rate in force on `on`; before the first rate takes effect (a future hire), that first rate.

    Uses the rows prefetched by `with_current_rates` when present, otherwise asks the database."""
    rows: Sequence[PayRate] | None = getattr(employee, CURRENT_RATES_ATTR, None)
    if rows is None:
        return rate_on(employee, on) or current_rates().filter(employee=employee).order_by("effective_date").first()
    in_force = [r for r in rows if r.effective_date <= on]
    if in_force:
        return in_force[-1]
    return rows[0] if rows else None


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def manager_ids(employees: Iterable[Employee]) -> dict[int, int | None]:
    """Each employee's manager id, with the rule of staff.access.manager_of, in one query.

    The override wins; else the head of the nearest department on the employee's path (their own
    first, then its ancestors) that is headed by someone other than the employee themself.
    `department` must be loaded (visible_employees select_related's it)."""
    return manager_ids_of_rows((e.pk, e.manager_override_id, e.department.path) for e in employees)


def manager_ids_of_rows(rows: Iterable[tuple[int, int | None, str]]) -> dict[int, int | None]:
    """`manager_ids` from (employee id, manager_override id, department path) rows, e.g. a `values_list` over
    requests: the rule without a model instance per row (the approvals inbox reads hundreds)."""
    rows = list(rows)
    needed: set[int] = set()
    for _employee_id, override_id, path in rows:
        if not override_id:
            needed.update(_path_ids(path))
    heads = dict(Department.objects.filter(pk__in=needed).values_list("pk", "head_id")) if needed else {}
    result: dict[int, int | None] = {}
    for employee_id, override_id, path in rows:
        if override_id:
            result[employee_id] = override_id
            continue
        result[employee_id] = None
        for department_id in reversed(_path_ids(path)):
            head_id = heads.get(department_id)
            if head_id and head_id != employee_id:
                result[employee_id] = head_id
                break
    return result


def direct_reports(manager_ids: Iterable[int]) -> QuerySet[Employee]:
    """The employees whose manager, by `manager_of`'s rule, is one of `manager_ids` — as a queryset, without
    reading the managers' subtrees.

    Someone's manager is their override, else the nearest head on their department's path other than
    themself. So a manager's reports are their override reports; the members of the departments they head,
    and of headless departments below those (not the manager); and the head of each department right below —
    and of a headless department, or one headed by the same person, below that — where that head sits. The
    departments are read one level at a time from the managers' own, only as far as such departments go: the
    top head of 30,000 people reads two short levels, not the tree (the approvals inbox asks on every page).
    """
    managers = set(manager_ids)
    q = Q(manager_override_id__in=managers)
    plain = Q(manager_override__isnull=True)
    # node: department id → (manager, head whose seat there reports to the manager, or None: every member does)
    frontier = {
        pk: (head, None) for pk, head in Department.objects.filter(head_id__in=managers).values_list("pk", "head_id")
    }
    while frontier:
        for department_id, (manager, head) in frontier.items():
            if head is None:
                q |= plain & Q(department_id=department_id) & ~Q(pk=manager)
            else:
                q |= plain & Q(department_id=department_id, pk=head)
        below: dict[int, tuple[int, int | None]] = {}
        children = Department.objects.filter(parent_id__in=frontier).values_list("pk", "parent_id", "head_id")
        for pk, parent_id, child_head in children:
            manager, head = frontier[parent_id]
            if head is None:  # the manager's members: a headless child stays theirs, a headed one gives its head
                below[pk] = (manager, None) if child_head in (None, manager) else (manager, child_head)
            elif child_head in (None, head):  # that head, seated further down, still reports to the manager
                below[pk] = (manager, head)
            elif child_head == manager:
                below[pk] = (manager, None)
                q |= plain & Q(department_id=pk, pk=head)
        frontier = below
    return Employee.objects.filter(q)


def department_list(*, user: Any) -> QuerySet[Department]:
    return visible_departments(user).order_by("path")
