"""Corporate sign-in: django-auth-ldap's backend, bound to the employee records (docs/decisions/directory-sign-in.md).

django-auth-ldap finds the login in the directory (a search as the service account), checks the password (a bind
as the user) and reads the groups. What it then does to the portal is ours, in `get_or_build_user`:
- an account the directory marks disabled (AUTH_LDAP_ENABLED_FILTER) is refused, and no other backend is tried;
- the employee record is found by personnel number (the directory's employee id attribute) or, for an entry
  without one, by email; none → refused with its own message, and the local accounts are tried next;
- the employee's own user account signs in: its name and email, the employee's email and the HR role (membership
  of AUTH_LDAP_HR_GROUP) are written as the directory has them (staff.services.directory_account_sync).
A directory that fails (down, timing out, refusing the service account) is reported by django-auth-ldap's
`ldap_error` signal: the login page says so, and the local accounts are still tried.

Why a login failed is left on the request (`refusal`) for the login form (staff.forms.LoginForm), which shows its
message instead of "wrong login or password". Every failure is still a failed login for django-axes.
"""

from __future__ import annotations

import logging
from typing import Any

import ldap
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_auth_ldap.backend import LDAPBackend, ldap_error

from hrportal import directory_settings
from staff.models import Employee
from staff.services import directory_account_sync

logger = logging.getLogger(__name__)

DISABLED = "directory_disabled"
NO_EMPLOYEE = "directory_no_employee"
UNAVAILABLE = "directory_unavailable"
MESSAGES = {
    DISABLED: _("Your corporate account is disabled in the directory. Ask the IT service desk."),
    NO_EMPLOYEE: _(
        "Your corporate login and password are right, but the portal has no employee record for you. Ask HR to "
        "add you: they need your personnel number or your work email."
    ),
    UNAVAILABLE: _(
        "The corporate directory is not answering, so corporate logins cannot be checked now. Try again in a few "
        "minutes; local portal accounts still work."
    ),
}
_REFUSAL_ATTR = "directory_refusal"
_NAME_MAX = 150  # Django's User.first_name and last_name
_EMAIL_MAX = 254  # User.email and Employee.email


def refusal(request: HttpRequest | None) -> str | None:
    """Why the directory refused the last login attempt of this request (one of the MESSAGES keys), if it did."""
    return getattr(request, _REFUSAL_ATTR, None)


def _refuse(request: HttpRequest | None, reason: str) -> None:
    if request is not None:
        setattr(request, _REFUSAL_ATTR, reason)


def _first(attrs: dict[str, list[str]] | None, name: str) -> str:
    """An attribute's first value, stripped ('' when absent); attribute names are case-insensitive in LDAP."""
    for key, values in (attrs or {}).items():
        if key.lower() == name.lower() and values:
            return str(values[0]).strip()
    return ""


def _normal_dn(dn: str) -> str:
    return ldap.dn.dn2str(ldap.dn.str2dn(dn)).lower()


def match_employee(*, personnel_number: str, email: str) -> Employee | None:
    """The employee a directory entry stands for: by personnel number when the entry has one (then only by it: a
    number the portal does not know is not guessed from the email), else by email when exactly one employee —
    preferring one still employed — has it."""
    employees = Employee.objects.select_related("user")
    if personnel_number:
        return employees.filter(personnel_number=personnel_number).first()
    if not email:
        return None
    candidates = list(employees.filter(email__iexact=email)[:10])
    if len(candidates) > 1:
        today = timezone.localdate()
        candidates = [e for e in candidates if e.termination_date is None or e.termination_date >= today]
    if len(candidates) != 1:
        if candidates:
            logger.warning("directory sign-in: %d employees have the email %s; none chosen", len(candidates), email)
        return None
    return candidates[0]


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap, signing in the employee's own account; settings from hrportal.directory_settings."""

    default_settings = {
        "HR_GROUP": "",
        "EMPLOYEE_ID_ATTR": directory_settings.EMPLOYEE_ID_ATTR,
        "ENABLED_FILTER": directory_settings.ENABLED_FILTER,
    }

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if not self.settings.SERVER_URI:
            return None
        self._request = request  # Django makes a backend object for each authentication
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        # The session's user comes as every session's does: with its access facts, refused once deactivated.
        from staff.authentication import PrincipalModelBackend

        return PrincipalModelBackend().get_user(user_id)

    def get_group_permissions(self, user: Any, obj: Any = None) -> set[str]:
        return set()  # permissions are the Django groups' (the model backend's), never read from the directory

    def get_all_permissions(self, user: Any, obj: Any = None) -> set[str]:
        return set()

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[Any, bool]:
        """Called once the password is right: refuse, or return the employee's user, synced (never a new user)."""
        request = getattr(self, "_request", None)
        # A base search of the user's own entry with the "enabled" filter (as the service account): an empty
        # answer is a disabled account. An LDAPError here is an unavailable directory (the ldap_error signal).
        found = ldap_user.connection.search_s(ldap_user.dn, ldap.SCOPE_BASE, self.settings.ENABLED_FILTER, ["1.1"])
        if not found:
            logger.info("directory sign-in refused: %s is disabled in the directory", username)
            _refuse(request, DISABLED)
            raise PermissionDenied("disabled in the directory")
        attrs = ldap_user.attrs
        email = _first(attrs, "mail")
        try:
            validate_email(email)
        except ValidationError:
            email = ""
        if len(email) > _EMAIL_MAX:
            email = ""
        employee = match_employee(personnel_number=_first(attrs, self.settings.EMPLOYEE_ID_ATTR), email=email)
        if employee is None:
            logger.info("directory sign-in refused: %s has no employee record", username)
            _refuse(request, NO_EMPLOYEE)
            raise ldap_user.AuthenticationFailed("no employee record")
        hr_group = self.settings.HR_GROUP
        is_hr = bool(hr_group) and _normal_dn(hr_group) in {_normal_dn(dn) for dn in ldap_user.group_dns}
        user = directory_account_sync(
            employee=employee,
            first_name=_first(attrs, "givenName")[:_NAME_MAX],
            last_name=_first(attrs, "sn")[:_NAME_MAX],
            email=email,
            is_hr=is_hr,
        )
        return user, False


@receiver(ldap_error, sender=DirectoryBackend)
def _directory_failed(sender: Any, context: str, user: Any, request: Any, exception: Exception, **kwargs: Any) -> None:
    logger.error("directory sign-in: the directory failed (%s): %r", context, exception)
    _refuse(request, UNAVAILABLE)
