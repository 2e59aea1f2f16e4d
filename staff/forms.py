"""The login form: Django's, telling why the corporate directory refused a login (staff.directory)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from staff import directory


class LoginForm(AuthenticationForm):
    """`directory_error` is the directory's reason, shown instead of "wrong login or password"; the rest is Django's
    (the lockout of repeated failures is django-axes', on every backend)."""

    directory_error: str = ""

    @property
    def directory_enabled(self) -> bool:
        return "staff.directory.DirectoryBackend" in settings.AUTHENTICATION_BACKENDS and bool(
            getattr(settings, "AUTH_LDAP_SERVER_URI", "")
        )

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            reason = directory.refusal(self.request)
            if reason is not None:
                self.directory_error = str(directory.MESSAGES[reason])
            raise
