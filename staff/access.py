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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from hrportal.errors import NotFound
from staff.models import HR_GROUP, Delegation, Department, Employee

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def _cached(user: Any, key: str, compute: Any) -> Any:
    """Memoise per user object (one HTTP request) so a page asks each question once."""
    cache = _unwrapped(user).__dict__.setdefault("_hrportal_access", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _unwrapped(user: Any) -> Any:
    """The user itself, not `request.user`'s lazy wrapper (whose own __dict__ would hold another memo)."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def forget(user: Any) -> None:
    """Drop what was memoised for this user object (after a change of their roles)."""
    _unwrapped(user).__dict__.pop("_hrportal_access", None)


def principal_users() -> QuerySet[Any]:
    """Users with their employee record (department, position) in the same query: how authentication
    loads the caller (staff.authentication), followed by `remember_principal`."""
    return get_user_model().objects.select_related("employee__department", "employee__position")


@dataclass(frozen=True)
class _RoleFlags:
    hr: bool  # member of the HR group
    heads: bool  # heads a department
    deputises: bool  # stands in for a manager today
    overrides: bool  # somebody's manager by override


_ROLE_FLAGS_SQL = (
    "SELECT EXISTS(SELECT 1 FROM {user_groups} ug JOIN {group} g ON g.id = ug.group_id"
    " WHERE ug.user_id = %s AND g.name = %s),"
    " EXISTS(SELECT 1 FROM {department} WHERE head_id = %s),"
    " EXISTS(SELECT 1 FROM {delegation} WHERE deputy_id = %s AND start_date <= %s AND end_date >= %s),"
    " EXISTS(SELECT 1 FROM {employee} WHERE manager_override_id = %s)"
)


def _role_flags(user: Any) -> _RoleFlags:
    """The caller's role facts in one round trip, memoised for the request.

    Hand-written SQL: the same four EXISTS built by the ORM cost more Python to compile on every
    request than the query takes (decision 0007).
    """

    def load() -> _RoleFlags:
        employee = employee_of(user)
        employee_id = employee.pk if employee is not None else None
        on = timezone.localdate()
        sql = _ROLE_FLAGS_SQL.format(
            user_groups=get_user_model().groups.through._meta.db_table,
            group=Group._meta.db_table,
            department=Department._meta.db_table,
            delegation=Delegation._meta.db_table,
            employee=Employee._meta.db_table,
        )  # only the models' table names are formatted in; every value is bound
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk, HR_GROUP, employee_id, employee_id, on, on, employee_id])
            row = cursor.fetchone()
        return _RoleFlags(*(bool(value) for value in row))

    return _cached(user, "flags", load)  # type: ignore[no-any-return]


def remember_principal(user: Any) -> None:
    """Memoise the employee record `principal_users()` loaded with the user, for this request."""
    try:
        employee = user.employee
    except ObjectDoesNotExist:
        employee = None
    _unwrapped(user).__dict__.setdefault("_hrportal_access", {})["employee"] = employee


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
    return _cached(user, "is_hr", lambda: user.is_superuser or _role_flags(user).hr)


def employee_of(user: AnyUser) -> Employee | None:
    if not (user and user.is_authenticated):
        return None

    def load() -> Employee | None:
        try:
            return Employee.objects.select_related("department", "position").get(user=user)
        except Employee.DoesNotExist:
            return None

    return _cached(user, "employee", load)


def _deputised_departments(deputy: Employee, on: dt.date) -> QuerySet[Department]:
    """Departments headed by the managers `deputy` stands in for on `on`."""
    return Department.objects.filter(
        head__delegations_given__deputy=deputy,
        head__delegations_given__start_date__lte=on,
        head__delegations_given__end_date__gte=on,
    )


def _subtree_q(paths: list[str], prefix: str = "department__path") -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}__startswith": path})
    return q


def managed_paths(user: AnyUser) -> list[str]:
    employee = employee_of(user)
    if employee is None:
        return []

    def load() -> list[str]:
        flags = _role_flags(user)
        if not (flags.heads or flags.deputises):
            return []
        own, deputised = _user_management_paths(user, employee)
        return sorted({*own, *(path for path, _head_id in deputised)})

    return _cached(user, "managed_paths", load)


def is_manager(user: AnyUser) -> bool:
    """Heads a department (the `manager` role)."""
    employee = employee_of(user)
    if employee is None:
        return False
    return _role_flags(user).heads


def manages_anyone(user: AnyUser) -> bool:
    """Whether the user decides for someone: a department head, a deputy today, or an override manager."""
    me = employee_of(user)
    if me is None or not is_active_user(user):
        return False
    return bool(managed_paths(user)) or _role_flags(user).overrides


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


def visible_departments(user: AnyUser) -> QuerySet[Department]:
    """Departments the user may list: HR all; others the departments of the employees they may
    see (their own, those of their overridden reports) plus every department of the subtrees they
    manage, even an empty one (a manager plans for it). See docs/decisions/staff-department-visibility.md."""
    if not is_active_user(user):
        return Department.objects.none()
    if is_hr(user):
        return Department.objects.all()
    if employee_of(user) is None:
        return Department.objects.none()
    return Department.objects.filter(
        Q(pk__in=visible_employees(user).values("department_id")) | _subtree_q(managed_paths(user), prefix="path")
    )


def visible_in_admin(user: AnyUser, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The admin is HR's tool: HR sees every row, any other staff user sees none."""
    return queryset if is_hr(user) else queryset.none()


def can_record_rate(user: AnyUser, employee: Employee) -> bool:
    """Recording a rate directly (any effective date, corrections) is HR's; managers propose changes
    through a rate-change request (requests_app), which checks `can_change_rate`."""
    return is_hr(user)


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
    """Whether `manager` (or their deputy role on `on`) has `employee` in their subtree.

    A deputy stands in for a manager over the manager's team, never over the manager: the departments the
    employee heads themself do not count among the deputised ones (the manager's own boss, deputising, still
    manages them through their own departments)."""
    return _manages(manager, employee, lambda: _management_paths(manager, on or timezone.localdate()))


def _manages(
    manager: Employee, employee: Employee, paths: Callable[[], tuple[list[str], list[tuple[str, int]]]]
) -> bool:
    """`manages` with the manager's paths from `paths()`, asked only when the cheap checks do not decide."""
    if manager.pk == employee.pk:
        return False
    if employee.manager_override_id == manager.pk:
        return True
    return _in_subtrees(employee, *paths())


def _management_paths(manager: Employee, on: dt.date) -> tuple[list[str], list[tuple[str, int]]]:
    """The paths `manager` heads, and (path, head id) of the departments of the managers they deputise for."""
    own = list(Department.objects.filter(head=manager).values_list("path", flat=True))
    return own, list(_deputised_departments(manager, on).values_list("path", "head_id"))


def _in_subtrees(employee: Employee, own: list[str], deputised: list[tuple[str, int]]) -> bool:
    path = employee.department.path
    return any(path.startswith(p) for p in own) or any(
        path.startswith(p) for p, head_id in deputised if head_id != employee.pk
    )


def deputy_for(deputy: Employee, manager: Employee, on: dt.date) -> bool:
    return Delegation.objects.filter(manager=manager, deputy=deputy, start_date__lte=on, end_date__gte=on).exists()


def can_see_salary(user: AnyUser, employee: Employee) -> bool:
    """The employee themself (asked first: it needs no query) and HR."""
    me = employee_of(user)
    if me is not None and me.pk == employee.pk and is_active_user(user):
        return True
    return is_hr(user)


def rate_change_candidates(user: AnyUser) -> QuerySet[Employee]:
    """Whom the user may propose a pay rate for, as `can_change_rate` decides one by one: HR anyone active;
    a manager their subtree and override reports — never themself, nor a manager they only stand in for."""
    qs = visible_employees(user).filter(termination_date__isnull=True)
    me = employee_of(user)
    if me is None or is_hr(user):
        return qs
    own, deputised = _user_management_paths(user, me)
    # The visible subtrees hold everyone the rule allows; of the deputised managers themselves, keep those it
    # allows through another way (their own boss deputising, an override, another deputised department).
    heads = Employee.objects.filter(pk__in={head_id for _, head_id in deputised}).select_related("department")
    stood_in_for = [h.pk for h in heads if not _manages(me, h, lambda: (own, deputised))]
    return qs.exclude(pk=me.pk).exclude(pk__in=stood_in_for)


def can_change_rate(user: AnyUser, employee: Employee) -> bool:
    """HR for anyone; a manager for their subtree (never their own rate)."""
    if is_hr(user):
        return True
    me = employee_of(user)
    if me is None or not is_active_user(user):
        return False
    # `manages`, with the paths read once per user (a list of rate changes asks for every row).
    return _manages(me, employee, lambda: _user_management_paths(user, me))


def _user_management_paths(user: AnyUser, me: Employee) -> tuple[list[str], list[tuple[str, int]]]:
    today = timezone.localdate()
    return _cached(user, f"management:{today}", lambda: _management_paths(me, today))  # type: ignore[no-any-return]


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


# --- requests -----------------------------------------------------------------------------------
# Imported lazily: staff must not import requests_app at module load (requests_app imports staff).


def visible_requests(user: AnyUser) -> QuerySet[Any]:
    """Requests the user may see: their own, those they filed, their managed subtree's; HR all."""
    from requests_app.models import Request

    base = Request.objects.select_related("employee", "employee__department", "created_by")
    if not is_active_user(user):
        return base.none()
    if is_hr(user):
        return base.all()
    employee = employee_of(user)
    if employee is None:
        return base.none()
    return base.filter(Q(employee=employee) | Q(created_by=user) | managed_employee_ids_q(user))


def own_requests(user: AnyUser) -> QuerySet[Any]:
    """The user's own requests and those they filed: a part of `visible_requests` that needs neither the role
    checks nor the subtree filter (cheaper to plan, and the dashboard asks it on every view)."""
    from requests_app.models import Request

    employee = employee_of(user)
    if not is_active_user(user):
        return Request.objects.none()
    mine = Q(created_by=user)
    if employee is not None:
        mine |= Q(employee=employee)
    return Request.objects.filter(mine)


def access_request(user: AnyUser, request_id: Any, *, for_update: bool = False) -> Any:
    """Fetch a request the user may see (locked when `for_update`), else NotFound (404)."""
    from requests_app.models import Request

    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        raise NotFound("Request not found.") from None
    qs = visible_requests(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)  # one query: the visibility rule and the fetch (and the lock) together
    except Request.DoesNotExist:
        raise NotFound("Request not found.") from None


def hr_employees() -> QuerySet[Employee]:
    return Employee.objects.filter(user__is_active=True, user__groups__name=HR_GROUP).select_related("user")


def stage_approvers(request: Any, stage: str) -> list[Employee]:
    """Who decides a request at a step: the employee's manager, or the HR group."""
    if stage == "manager":
        manager = manager_of(request.employee)
        return [manager] if manager is not None else []
    if stage == "hr":
        return [e for e in hr_employees() if e.pk != request.employee_id]
    return []


def approval_capacity(user: AnyUser, request: Any, on: dt.date | None = None) -> tuple[bool, Employee | None]:
    """Whether the user may decide the request at its current step, and on whose behalf.

    Nobody decides their own request. At the manager step: the employee's manager, or a deputy
    whose delegation from that manager covers `on` (acting on the manager's behalf). At the HR
    step: any HR member.
    """
    on = on or timezone.localdate()
    me = employee_of(user)
    if not is_active_user(user) or (me is not None and me.pk == request.employee_id):
        return False, None
    if request.stage == "hr":
        return is_hr(user), None
    if request.stage == "manager" and me is not None:
        manager = manager_of(request.employee)
        if manager is None:
            return False, None
        if manager.pk == me.pk:
            return True, None
        if deputy_for(me, manager, on):
            return True, manager
    return False, None


def cancellation_capacity(user: AnyUser, request: Any) -> tuple[bool, Employee | None]:
    """Who confirms the cancellation an employee asked for on an approved request, and on whose behalf: HR, or
    whoever decides the request at the manager step (as `approval_capacity` would there)."""
    from requests_app.models import Request

    if is_hr(user):
        return True, None
    probe = Request(employee=request.employee, stage=Request.Stage.MANAGER, stages=request.stages)
    probe.employee_id = request.employee_id
    return approval_capacity(user, probe)


def can_approve(user: AnyUser, request: Any, on: dt.date | None = None) -> bool:
    return approval_capacity(user, request, on)[0]


def awaiting_decision(user: AnyUser, on: dt.date | None = None) -> QuerySet[Any]:
    """Pending requests this user can decide now (the approvals inbox): at the HR step for HR; at the
    manager step where the employee's manager — by `manager_of`'s whole rule, however far up the head
    chain — is the user or a manager they deputise for on `on` (as `approval_capacity` decides)."""
    from requests_app.models import Request

    on = on or timezone.localdate()
    base = visible_requests(user).filter(status=Request.Status.PENDING).exclude(employee__user=user)
    q = Q(pk__in=[])
    if is_hr(user):
        q |= Q(stage="hr")
    me = employee_of(user)
    if me is not None and manages_anyone(user):
        q |= Q(stage="manager", pk__in=_cached(user, f"awaiting:{on}", lambda: _manager_step_ids(user, me, base, on)))
    return base.filter(q)


def _manager_step_ids(user: AnyUser, me: Employee, base: QuerySet[Any], on: dt.date) -> list[int]:
    """Ids of the pending manager-step requests whose employee's manager is `me` or a manager `me` deputises
    for on `on`: every such request the user can see (their subtrees and override reports), then the exact
    manager of each one's employee — one more query, for the heads of their departments. Rows, not model
    instances: a head high in the tree sees every pending request below (the nav badge asks on every page)."""
    from staff.selectors import manager_ids_of_rows

    deputising_for = Delegation.objects.filter(deputy=me, start_date__lte=on, end_date__gte=on)
    managers = {me.pk, *deputising_for.values_list("manager", flat=True)}
    candidates = list(
        base.filter(stage="manager")
        .order_by()
        .values_list("pk", "employee_id", "employee__manager_override_id", "employee__department__path")
    )
    their_managers = manager_ids_of_rows({row[1:] for row in candidates})
    return [pk for pk, employee_id, _, _ in candidates if their_managers[employee_id] in managers]
