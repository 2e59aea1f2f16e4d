"""Every access rule of the portal, in one module.

Views, the API, admin querysets, report scoping and the choice of mail recipients call these
functions; none of them re-derives a rule. Lists go through `visible_*` querysets; single objects
through `rules` predicates or the `access_*` helpers, which raise NotFound (404) for an object the
caller may not see, exactly as for one that does not exist.

Roles:
- employee: sees themself;
- manager: the head of a department sees that department's subtree (and, while a delegation to
  them runs, the subtree of the manager they stand in for);
- hr: members of the `hr` group (and superusers) see everyone and work in the admin.
A deactivated user or a terminated employee can do nothing (see staff.middleware).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import rules
from django.db.models import Q, QuerySet
from django.utils import timezone

from hrportal.errors import NotFound
from staff.models import HR_GROUP, Delegation, Department, Employee

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def _cached(user: Any, key: str, compute: Any) -> Any:
    """Memoise per user object (one HTTP request) so a page asks each question once."""
    cache = user.__dict__.setdefault("_hrportal_access", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def is_active_user(user: AnyUser) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    employee = employee_of(user)
    if employee is None:
        return bool(user.is_superuser or is_hr(user))
    return employee.termination_date is None or employee.termination_date >= timezone.localdate()


def is_hr(user: AnyUser) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return _cached(user, "is_hr", lambda: user.is_superuser or user.groups.filter(name=HR_GROUP).exists())


def employee_of(user: AnyUser) -> Employee | None:
    if not (user and user.is_authenticated):
        return None

    def load() -> Employee | None:
        try:
            return Employee.objects.select_related("department", "position").get(user=user)
        except Employee.DoesNotExist:
            return None

    return _cached(user, "employee", load)


def headed_department_paths(employee: Employee, on: dt.date | None = None) -> list[str]:
    """Paths of the departments this employee heads, plus those of managers they deputise for."""
    on = on or timezone.localdate()
    own = list(Department.objects.filter(head=employee).values_list("path", flat=True))
    deputised = list(
        Department.objects.filter(
            head__delegations_given__deputy=employee,
            head__delegations_given__start_date__lte=on,
            head__delegations_given__end_date__gte=on,
        ).values_list("path", flat=True)
    )
    return sorted(set(own + deputised))


def _subtree_q(paths: list[str], prefix: str = "department__path") -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}__startswith": path})
    return q


def managed_paths(user: AnyUser) -> list[str]:
    employee = employee_of(user)
    if employee is None:
        return []
    return _cached(user, "managed_paths", lambda: headed_department_paths(employee))


def is_manager(user: AnyUser) -> bool:
    employee = employee_of(user)
    return employee is not None and Department.objects.filter(head=employee).exists()


def roles_of(user: AnyUser) -> list[str]:
    roles = []
    if employee_of(user) is not None:
        roles.append("employee")
    if is_manager(user):
        roles.append("manager")
    if is_hr(user):
        roles.append("hr")
    return roles


def visible_employees(user: AnyUser) -> QuerySet[Employee]:
    base = Employee.objects.select_related("department", "position", "user")
    if not is_active_user(user):
        return base.none()
    if is_hr(user):
        return base.all()
    employee = employee_of(user)
    if employee is None:
        return base.none()
    return base.filter(Q(pk=employee.pk) | Q(manager_override=employee) | _subtree_q(managed_paths(user)))


def managed_employee_ids_q(user: AnyUser, prefix: str = "employee") -> Q:
    """A Q over a model with an `employee` FK: rows of employees in the user's managed subtree."""
    employee = employee_of(user)
    if employee is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}__manager_override": employee}) | _subtree_q(
        managed_paths(user), prefix=f"{prefix}__department__path"
    )


def access_employee(user: AnyUser, employee_id: Any) -> Employee:
    """Fetch and authorise in one step: NotFound for anyone who may not see the employee."""
    try:
        return visible_employees(user).get(pk=int(employee_id))
    except (Employee.DoesNotExist, TypeError, ValueError):
        raise NotFound("Employee not found.") from None


def manager_of(employee: Employee) -> Employee | None:
    """The employee's manager: the override, else the head of their department; a head's own
    manager is the head of the nearest ancestor department headed by someone else. None at the top."""
    if employee.manager_override_id:
        return employee.manager_override
    department = employee.department
    while department is not None:
        if department.head_id and department.head_id != employee.pk:
            return department.head
        department = department.parent
    return None


def manages(manager: Employee, employee: Employee, on: dt.date | None = None) -> bool:
    """Whether `manager` (or their deputy role on `on`) has `employee` in their subtree."""
    if manager.pk == employee.pk:
        return False
    if employee.manager_override_id == manager.pk:
        return True
    paths = headed_department_paths(manager, on)
    return any(employee.department.path.startswith(p) for p in paths)


def deputy_for(deputy: Employee, manager: Employee, on: dt.date) -> bool:
    return Delegation.objects.filter(manager=manager, deputy=deputy, start_date__lte=on, end_date__gte=on).exists()


def can_see_salary(user: AnyUser, employee: Employee) -> bool:
    if is_hr(user):
        return True
    me = employee_of(user)
    return me is not None and me.pk == employee.pk and is_active_user(user)


def can_change_rate(user: AnyUser, employee: Employee) -> bool:
    """HR for anyone; a manager for their subtree (never their own rate)."""
    if is_hr(user):
        return True
    me = employee_of(user)
    return me is not None and is_active_user(user) and manages(me, employee)


# --- rules predicates, for object checks in views, the admin and DRF ---------------------------


@rules.predicate
def _is_hr(user: AnyUser) -> bool:
    return is_hr(user)


@rules.predicate
def _sees_salary(user: AnyUser, employee: Employee | None) -> bool:
    return employee is not None and can_see_salary(user, employee)


@rules.predicate
def _changes_rate(user: AnyUser, employee: Employee | None) -> bool:
    return employee is not None and can_change_rate(user, employee)


rules.add_perm("staff.view_salary", _sees_salary)
rules.add_perm("staff.change_rate", _changes_rate)
rules.add_perm("staff.is_hr", _is_hr)
