"""Token authentication that refuses deactivated users and terminated employees.

Session requests are checked by staff.middleware.ActiveEmployeeMiddleware, but a token is only
resolved inside the DRF view, after every middleware has run; this class applies the same rule
(staff.access.is_active_user) at that point, so a token of someone who has left answers 401.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ActiveTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        # Imported here: DRF imports this class while rest_framework.views is loading, and
        # staff.access → hrportal.errors imports rest_framework.views (a circular import otherwise).
        from staff.access import is_active_user

        user, token = super().authenticate_credentials(key)  # rejects is_active=False already
        if not is_active_user(user):
            raise exceptions.AuthenticationFailed(_("Your account is not active."))
        return user, token
