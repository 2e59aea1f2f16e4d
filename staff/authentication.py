"""Authentication that loads the caller with their access facts and refuses whoever has left.

Both ways in — the session (PrincipalModelBackend.get_user) and the API token
(ActiveTokenAuthentication) — load the user through `staff.access.principal_users()`: one query brings
the user and their employee record (department, position); the role flags the access rules need come in one
more round trip when a rule first asks (`staff.access._role_flags`), instead of a query per rule.

Session requests are checked by staff.middleware.ActiveEmployeeMiddleware, but a token is only
resolved inside the DRF view, after every middleware has run; the token class applies the same rule
(staff.access.is_active_user) at that point, so a token of someone who has left answers 401.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class PrincipalModelBackend(ModelBackend):
    """Django's model backend (passwords, permissions) whose session user comes with its access facts."""

    def get_user(self, user_id: Any) -> Any:
        from staff.access import principal_users, remember_principal

        user = principal_users().filter(pk=user_id)[:1]
        user = user[0] if user else None
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_principal(user)
        return user


class ActiveTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        # Imported here: DRF imports this class while rest_framework.views is loading, and
        # staff.access → hrportal.errors imports rest_framework.views (a circular import otherwise).
        from staff.access import is_active_user, principal_users, remember_principal

        found = principal_users().select_related("auth_token").filter(auth_token__key=key)[:1]
        user = found[0] if found else None
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_principal(user)
        if not is_active_user(user):
            raise exceptions.AuthenticationFailed(_("Your account is not active."))
        return user, user.auth_token
