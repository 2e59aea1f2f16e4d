"""The org facts every rule of the portal is built on: who a user is, who manages whom, who sees whom.

Views, the API, admin querysets, report scoping, the request policy (requests_app.policy) and the choice of
mail recipients call these functions; none of them re-derives a rule, and nothing here knows what is built
on it. Lists go through `visible_*` querysets; single objects through the `access_*` helpers, which raise
NotFound (404) for an object the caller may not see, exactly as for one that does not exist.

Roles:
- employee: sees themself;
- manager: the head of a department sees that department's subtree (and, while a delegation to
  them runs, the subtree of the manager they stand in for — the team, never that manager);
- hr: members of the `hr` group (and superusers) see everyone and work in the admin.
A deactivated user or a terminated employee can do nothing (see staff.middleware).

Past 400 lines: these are the org facts every rule asks, kept in one module so no rule re-derives one (STYLE.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from hrportal.errors import NotFound
from staff.models import HR_GROUP, Delegation, Department, Employee

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def memo(user: Any, key: str, compute: Any) -> Any:
    """The portal's one cache: facts about the caller, kept on the user object (so for one HTTP request, or one
    task), because a page asks the same role question from its view, its navigation and its template."""
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


def _role_flags(user: Any) -> _RoleFlags:
    """The caller's role facts in one query (four EXISTS on the user's row), memoised for the request."""

    def load() -> _RoleFlags:
        employee = employee_of(user)
        employee_id = employee.pk if employee is not None else None
        on = timezone.localdate()
        row = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(
                f_hr=Exists(Group.objects.filter(user=OuterRef("pk"), name=HR_GROUP)),
                f_heads=Exists(Department.objects.filter(head_id=employee_id)),
                f_deputises=Exists(
                    Delegation.objects.filter(deputy_id=employee_id, start_date__lte=on, end_date__gte=on)
                ),
                f_overrides=Exists(Employee.objects.filter(manager_override_id=employee_id)),
            )
            .values_list("f_hr", "f_heads", "f_deputises", "f_overrides")
            .first()
        )
        return _RoleFlags(*(bool(value) for value in row or (False,) * 4))

    return memo(user, "flags", load)  # type: ignore[no-any-return]


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
    return memo(user, "is_hr", lambda: user.is_superuser or _role_flags(user).hr)


def employee_of(user: AnyUser) -> Employee | None:
    if not (user and user.is_authenticated):
        return None

    def load() -> Employee | None:
        try:
            return Employee.objects.select_related("department", "position").get(user=user)
        except Employee.DoesNotExist:
            return None

    return memo(user, "employee", load)


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

    return memo(user, "managed_paths", load)


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


def supervises(user: AnyUser) -> bool:
    """HR, or someone who decides for others (a head, a deputy today, an override manager): they have the
    approvals inbox, see their team's requests and reports, and may propose pay-rate changes (`can_change_rate`
    decides for whom)."""
    return is_hr(user) or manages_anyone(user)


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
    return base.filter(Q(pk=employee.pk) | Q(manager_override=employee) | _subtree_q(managed_paths(user))).exclude(
        pk__in=_stood_in_for_only(user, employee)
    )


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


def managed_employee_ids_q(user: AnyUser, prefix: str = "employee") -> Q:
    """A Q over a model with an `employee` FK: rows of employees in the user's managed subtree."""
    employee = employee_of(user)
    if employee is None:
        return Q(pk__in=[])
    managed = Q(**{f"{prefix}__manager_override": employee}) | _subtree_q(
        managed_paths(user), prefix=f"{prefix}__department__path"
    )
    stood_in_for = _stood_in_for_only(user, employee)
    return managed & ~Q(**{f"{prefix}__in": stood_in_for}) if stood_in_for else managed


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


def deputised_managers(deputy: Employee, on: dt.date) -> list[int]:
    """Ids of the managers `deputy` stands in for on `on`."""
    return list(
        Delegation.objects.filter(deputy=deputy, start_date__lte=on, end_date__gte=on).values_list("manager", flat=True)
    )


def hr_employees() -> QuerySet[Employee]:
    return Employee.objects.filter(user__is_active=True, user__groups__name=HR_GROUP).select_related("user")


def can_see_salary(user: AnyUser, employee: Employee) -> bool:
    """The employee themself (asked first: it needs no query) and HR."""
    me = employee_of(user)
    if me is not None and me.pk == employee.pk and is_active_user(user):
        return True
    return is_hr(user)


def salary_viewers(employees: list[Employee], employee: Employee) -> set[int]:
    """The ids among `employees` who may see `employee`'s pay — `can_see_salary` for each one's user, in one
    query (a mail to every HR member asks it for each)."""
    today = timezone.localdate()
    itself = Q(pk=employee.pk) & (Q(termination_date__isnull=True) | Q(termination_date__gte=today))
    hr = Q(user__is_superuser=True) | Q(user__groups__name=HR_GROUP)
    viewers = Employee.objects.filter(Q(pk__in=[e.pk for e in employees], user__is_active=True) & (itself | hr))
    return set(viewers.values_list("pk", flat=True).distinct())


def rate_change_candidates(user: AnyUser) -> QuerySet[Employee]:
    """Whom the user may propose a pay rate for, as `can_change_rate` decides one by one: HR anyone active but
    themself; a manager their subtree and override reports — never themself, a manager above them, nor a manager
    they stand in for (unless they manage them in their own right)."""
    qs = visible_employees(user).filter(termination_date__isnull=True)
    me = employee_of(user)
    if me is None:
        return qs
    if is_hr(user):
        return qs.exclude(pk=me.pk)
    return qs.exclude(pk__in=[me.pk, *own_manager_chain(user), *_principals_not_managed_in_own_right(user, me)])


def _stood_in_for_only(user: AnyUser, me: Employee) -> list[int]:
    """The managers the user deputises for today and does not manage in their own right (as their boss, by an
    override or through another deputised department): a deputy acts over a manager's team, never over them."""

    def load() -> list[int]:
        if not _role_flags(user).deputises:
            return []
        own, deputised = _user_management_paths(user, me)
        heads = Employee.objects.filter(pk__in={head_id for _, head_id in deputised}).select_related("department")
        return [h.pk for h in heads if not _manages(me, h, lambda: (own, deputised))]

    return memo(user, "stood_in_for", load)  # type: ignore[no-any-return]


# Why `rate_change_refusal` refuses (None: it does not).
NOT_SELF = "self"
NOT_OWN_MANAGER = "own_manager"
NOT_PRINCIPAL = "principal"
NOT_MANAGED = "not_managed"


def rate_change_refusal(user: AnyUser, employee: Employee) -> str | None:
    """Why the user may not propose a pay change for `employee`, or None when they may.

    Nobody for themself (docs/decisions/four-eyes-on-pay.md). HR for anyone else. A manager for their subtree and
    override reports, but never for a manager above them in their own chain (reachable only through a delegation,
    e.g. standing in for their boss's boss), nor for a manager they stand in for today unless they manage that
    person in their own right (docs/decisions/rate-change-guards.md)."""
    me = employee_of(user)
    if me is not None and me.pk == employee.pk:
        return NOT_SELF
    if is_hr(user):
        return None
    if me is None or not is_active_user(user):
        return NOT_MANAGED
    # `manages`, with the paths read once per user (a list of rate changes asks for every row).
    if not _manages(me, employee, lambda: _user_management_paths(user, me)):
        return NOT_MANAGED
    if employee.pk in own_manager_chain(user):
        return NOT_OWN_MANAGER
    if employee.pk in _principals_not_managed_in_own_right(user, me):
        return NOT_PRINCIPAL
    return None


def can_change_rate(user: AnyUser, employee: Employee) -> bool:
    """Who may propose a pay change (`rate_change_refusal` says why not)."""
    return rate_change_refusal(user, employee) is None


def own_manager_chain(user: AnyUser) -> list[int]:
    """Ids of the user's manager, their manager, and so on to the top (memoised for the request)."""

    def load() -> list[int]:
        chain: list[int] = []
        person = employee_of(user)
        while person is not None:
            boss = manager_of(person)
            if boss is None or boss.pk in chain or boss.pk == getattr(employee_of(user), "pk", None):
                break
            chain.append(boss.pk)
            person = boss
        return chain

    return memo(user, "own_manager_chain", load)  # type: ignore[no-any-return]


def _principals_not_managed_in_own_right(user: AnyUser, me: Employee) -> list[int]:
    """The managers the user stands in for today whom they do not manage through their own departments or an
    override (a deputy acts for the principal; proposing the principal's pay would be using that authority)."""

    def load() -> list[int]:
        if not _role_flags(user).deputises:
            return []
        own, _deputised = _user_management_paths(user, me)
        principals = Employee.objects.filter(pk__in=deputised_managers(me, timezone.localdate())).select_related(
            "department"
        )
        return [p.pk for p in principals if not _manages(me, p, lambda: (own, []))]

    return memo(user, "principals", load)  # type: ignore[no-any-return]


def _user_management_paths(user: AnyUser, me: Employee) -> tuple[list[str], list[tuple[str, int]]]:
    today = timezone.localdate()
    return memo(user, f"management:{today}", lambda: _management_paths(me, today))  # type: ignore[no-any-return]
