"""Writes to the organisation and pay rates. Keyword-only, atomic, audited.

Audit: django-simple-history records employees, pay rates, delegations and users (with their groups). A
service that knows its actor puts it on the instance (`_history_user`), which simple-history
prefers to the request user of HistoryRequestMiddleware, so commands and tasks are attributed too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrportal import numbers
from hrportal.errors import ValidationFailed
from staff import access
from staff.models import HR_GROUP, ApiToken, Department, Employee, PayRate, Position

User = get_user_model()

FTE_MIN = Decimal("0.01")
FTE_MAX = Decimal("1.50")

# Apps whose every permission the `hr` group holds (their historical models included, which is
# what SimpleHistoryAdmin asks for when SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is on).
# Not django.contrib.auth: whoever may change users may make themselves superuser.
HR_PERMISSION_APPS = (
    "staff",
    "payroll",
    "leave",
    "requests_app",
    "notifications",
    "schedule",
    "documents",
    "reports",
)


def set_history_actor(instance: Any, actor: Any) -> None:
    """simple-history's actor for the row's next history record (a signed-in user only)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor


@transaction.atomic
def department_save(*, department: Department) -> Department:
    """Save a department and keep the materialised paths of it and its subtree right."""
    if department.parent_id and department.pk:
        ancestor: Department | None = Department.objects.get(pk=department.parent_id)
        while ancestor is not None:
            if ancestor.pk == department.pk:
                raise ValidationFailed(_("A department cannot be inside itself."), field="parent")
            ancestor = ancestor.parent
    old_path = department.path
    department.save()
    parent_path = Department.objects.get(pk=department.parent_id).path if department.parent_id else "/"
    new_path = f"{parent_path}{department.pk}/"
    if new_path != old_path:
        Department.objects.filter(pk=department.pk).update(path=new_path)
        department.path = new_path
        if old_path:
            # Re-root the subtree: one row at a time keeps the code obvious; trees are small.
            for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
                child.path = new_path + child.path[len(old_path) :]
                Department.objects.filter(pk=child.pk).update(path=child.path)
    return department


def validate_rate(*, fte: Decimal, salary: Decimal) -> None:
    errors: dict[str, list[str]] = {}
    if not (FTE_MIN <= fte <= FTE_MAX):
        errors["fte"] = [
            _("FTE must be between %(min)s and %(max)s.")
            % {"min": numbers.number(FTE_MIN), "max": numbers.number(FTE_MAX)}
        ]
    if salary < 0:
        errors["salary"] = [_("Salary cannot be negative.")]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def pay_rate_record(
    *,
    employee: Employee,
    effective_date: dt.date,
    fte: Decimal,
    salary: Decimal,
    actor: Any = None,
    comment: str = "",
    indexation: bool = False,
) -> PayRate:
    """Record a rate from a date. A row for the same date is superseded, never edited. `indexation` marks a
    raise that is part of an organisation- or department-wide indexation (Regulation 922 item 16)."""
    validate_rate(fte=fte, salary=salary)
    if effective_date < employee.hire_date:
        raise ValidationFailed(_("A rate cannot start before the hire date."), field="effective_date")
    # Lock the employee row so two corrections of the same date serialise.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    current = (
        PayRate.objects.select_for_update()
        .filter(employee=employee, effective_date=effective_date, superseded_at__isnull=True)
        .first()
    )
    if current is not None:
        if (current.fte, current.salary, current.indexation) == (fte, salary, indexation):
            return current  # nothing changes: a retried call is harmless
        current.superseded_at = timezone.now()
        current._change_reason = f"superseded: {comment}".strip()
        set_history_actor(current, actor)
        current.save(update_fields=["superseded_at"])
    rate = PayRate(
        employee=employee,
        effective_date=effective_date,
        fte=fte,
        salary=salary,
        created_by=actor,
        comment=comment,
        indexation=indexation,
    )
    rate._change_reason = comment or "rate recorded"
    set_history_actor(rate, actor)
    rate.save()
    return rate


@transaction.atomic
def employee_create(
    *,
    username: str,
    full_name: str,
    email: str,
    department: Department,
    hire_date: dt.date,
    fte: Decimal,
    salary: Decimal,
    position: Position | None = None,
    password: str | None = None,
    personnel_number: str | None = None,
    language: str = Employee.Language.RU,
    actor: Any = None,
) -> Employee:
    """Create a user, their employee record and the first pay rate (effective on the hire date)."""
    validate_rate(fte=fte, salary=salary)
    parts = full_name.split()
    if len(parts) < 2:
        raise ValidationFailed(_("Give the full name as 'Surname Name [Patronymic]'."), field="full_name")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("This username is taken."), field="username")
    if personnel_number and Employee.objects.filter(personnel_number=personnel_number).exists():
        raise ValidationFailed(_("This personnel number is taken."), field="personnel_number")
    user = User(username=username, email=email, first_name=parts[1], last_name=parts[0])
    if password:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise ValidationFailed({"password": list(exc.messages)}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    set_history_actor(user, actor)
    # Savepoints: a concurrent insert of the same username/number surfaces as a field error,
    # and the outer transaction (rolled back by the raise) stays usable on PostgreSQL meanwhile.
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationFailed(_("This username is taken."), field="username") from None
    employee = Employee(
        user=user,
        personnel_number=personnel_number or f"T{user.pk:06d}",
        last_name=parts[0],
        first_name=parts[1],
        patronymic=" ".join(parts[2:]),
        email=email,
        language=language,
        department=department,
        position=position,
        hire_date=hire_date,
    )
    employee._change_reason = "employee created"
    set_history_actor(employee, actor)
    try:
        with transaction.atomic():
            employee.save()
    except IntegrityError:
        raise ValidationFailed(_("This personnel number is taken."), field="personnel_number") from None
    pay_rate_record(employee=employee, effective_date=hire_date, fte=fte, salary=salary, actor=actor, comment="hire")
    return employee


EMPLOYEE_UPDATABLE_FIELDS = frozenset(
    {
        "last_name",
        "first_name",
        "patronymic",
        "email",
        "language",
        "department",
        "position",
        "termination_date",
        "weekly_hours",
        "manager_override",
        "extra_leave_days",
    }
)


@transaction.atomic
def employee_update(*, employee: Employee, actor: Any, changes: dict[str, Any], reason: str = "") -> Employee:
    """Change an employee's record; the history row carries the actor, the old and the new values."""
    unknown = set(changes) - EMPLOYEE_UPDATABLE_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    locked = Employee.objects.select_for_update().get(pk=employee.pk)
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    try:
        locked.full_clean(exclude=["user"], validate_unique=False)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    locked._change_reason = reason or "updated: " + ", ".join(changed)
    set_history_actor(locked, actor)
    locked.save()
    return locked


@transaction.atomic
def hr_group_ensure() -> Group:
    """The `hr` group with every permission of the portal's own apps. Idempotent."""
    group, _created = Group.objects.get_or_create(name=HR_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=HR_PERMISSION_APPS))
    return group


@transaction.atomic
def hr_role_set(*, user: Any, is_hr: bool, actor: Any) -> None:
    """Grant or withdraw the HR role; the user's history records the group change and its actor."""
    group = Group.objects.get_or_create(name=HR_GROUP)[0]
    locked = User.objects.select_for_update().get(pk=user.pk)
    has_role = locked.groups.filter(pk=group.pk).exists()
    if has_role == is_hr:
        return
    set_history_actor(locked, actor)
    locked._change_reason = "hr role granted" if is_hr else "hr role withdrawn"
    if is_hr:
        locked.groups.add(group)
    else:
        locked.groups.remove(group)
    access.forget(user)  # drop the memoised role of this user object


@transaction.atomic
def directory_account_sync(*, employee: Employee, first_name: str, last_name: str, email: str, is_hr: bool) -> Any:
    """A directory sign-in's writes (staff.directory): the account's name and email and the employee's email as the
    directory has them, the HR role as its HR group says (with the admin access HR works in), and, on the first
    sign-in, no local password any more — so disabling someone in the directory locks them out of the portal.
    History rows name the user themself as the actor. Returns the user, locked and saved."""
    user = User.objects.select_for_update().get(pk=employee.user_id)
    values = {"first_name": first_name, "last_name": last_name, "email": email}
    changed = [name for name, value in values.items() if value and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    was_hr = user.groups.filter(name=HR_GROUP).exists()
    if is_hr != was_hr and user.is_staff != is_hr and not user.is_superuser:
        # Only a change of the HR role moves the admin access: other staff users keep theirs.
        user.is_staff = is_hr
        changed.append("is_staff")
    if user.has_usable_password():
        user.set_unusable_password()
        changed.append("password")
    if changed:
        set_history_actor(user, user)
        user._change_reason = "directory sign-in: " + ", ".join(changed)
        user.save(update_fields=changed)
    hr_role_set(user=user, is_hr=is_hr, actor=user)
    if email and employee.email != email:
        employee_update(employee=employee, actor=user, changes={"email": email}, reason="directory sign-in: email")
    return user


# --- API tokens ---------------------------------------------------------------------------------


def api_token_issue(*, user: Any) -> tuple[ApiToken, str]:
    """A new API token for `user` (each sign-in its own, expiring after REST_KNOX's TOKEN_TTL); returns the row and
    the token itself, shown once — only its digest is stored."""
    return ApiToken.objects.create(user=user, password_fingerprint=user.get_session_auth_hash())  # type: ignore[no-any-return]


def api_token_revoke(*, user: Any, token: ApiToken | None) -> int:
    """Revoke the token a call came with, or every token of `user` (a call signed in by session). Returns how many."""
    tokens = ApiToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(digest=token.digest)
    deleted, _by_model = tokens.delete()
    return deleted
