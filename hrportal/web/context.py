"""The header's navigation, for every template that shows it (a context processor)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from requests_app import policy
from staff import access
from staff.models import Employee


@dataclass(frozen=True)
class Nav:
    """What the header offers this user (each flag is a role check from staff.access)."""

    employee: Employee | None
    is_hr: bool
    manages: bool  # heads a subtree, stands in for a manager, or has reports by override
    can_admin: bool
    can_approve: bool  # staff.access.supervises
    approvals_count: int


def nav_for(user: Any) -> Nav:
    is_hr = access.is_hr(user)
    can_approve = access.supervises(user)
    return Nav(
        employee=access.employee_of(user),
        is_hr=is_hr,
        manages=access.manages_anyone(user),
        can_admin=is_hr and bool(user.is_staff),
        can_approve=can_approve,
        approvals_count=policy.inbox(user).count() if can_approve else 0,
    )


def nav(request: HttpRequest) -> dict[str, Any]:
    """`nav`, computed when a template first reads it and once per render: the admin, the fragments and the
    login page, which never read it, make no query for it."""
    return {"nav": SimpleLazyObject(lambda: nav_for(request.user))}
