"""Authentication that loads the caller with their access facts and refuses whoever has left.

Both ways in — the session (PrincipalModelBackend.get_user) and the API token
(ExpiringTokenAuthentication) — load the user through `staff.access.principal_users()`: one query brings
the user and their employee record (department, position); the role flags the access rules need come in one
more round trip when a rule first asks (`staff.access._role_flags`), instead of a query per rule.

Session requests are checked by staff.middleware.ActiveEmployeeMiddleware, but a token is only
resolved inside the DRF view, after every middleware has run; the token class applies the same rule
(staff.access.is_active_user) at that point, so a token of someone who has left answers 401. Tokens are
django-rest-knox's (a digest in the database, an expiry); one issued before its owner's last password change
answers 401 too (docs/decisions/api-tokens.md).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework import exceptions


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


class ExpiringTokenAuthentication(TokenAuthentication):
    """Knox's expiring tokens, refused once the owner's password changed or they left."""

    def validate_user(self, auth_token: Any) -> tuple[Any, Any]:
        # Imported here: DRF imports this class while rest_framework.views is loading, and
        # staff.access → hrportal.errors imports rest_framework.views (a circular import otherwise).
        from staff.access import is_active_user, remember_principal

        user = auth_token.user  # with the employee record (ApiToken's manager)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not constant_time_compare(auth_token.password_fingerprint, user.get_session_auth_hash()):
            auth_token.delete()  # issued before a password change: revoked for good
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        remember_principal(user)
        if not is_active_user(user):
            raise exceptions.AuthenticationFailed(_("Your account is not active."))
        return user, auth_token


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token: `Authorization: Token …`."""

    target_class = "staff.authentication.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> Any:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 - the header scheme, not a secret
