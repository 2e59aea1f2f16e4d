"""One error family for services, mapped once to HTTP statuses (Django-Styleguide style).

Services raise these; the DRF exception handler and the HTML views translate them:
ValidationFailed → 400 with `{"field": ["message"]}`, NotAllowed → 403, NotFound → 404,
Conflict → 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    status_code = 400
    default_field = "non_field_errors"

    def __init__(
        self,
        message: str | dict[str, list[str]],
        *,
        field: str | None = None,
        ui: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        # `ui`: how the pages word it in the user's language, a catalogue template (marked with gettext_noop where
        # raised) and its parameters, for a message whose English text carries a number or a status (the API
        # answers `message` as it is; hrportal.ui_errors translates).
        self.ui = ui
        if isinstance(message, dict):
            self.detail = message
            super().__init__("; ".join(m for msgs in message.values() for m in msgs))
        else:
            self.detail = {field or self.default_field: [str(message)]}
            super().__init__(str(message))


class ValidationFailed(ApplicationError):
    status_code = 400


class NotAllowed(ApplicationError):
    status_code = 403
    default_field = "detail"


class NotFound(ApplicationError):
    status_code = 404
    default_field = "detail"


class Conflict(ApplicationError):
    status_code = 409
    default_field = "detail"


def _flatten(detail: dict[str, list[str]], status_code: int) -> dict[str, Any]:
    if status_code in (403, 404, 409) and list(detail) == ["detail"]:
        return {"detail": detail["detail"][0]}
    return detail


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(_flatten(exc.detail, exc.status_code), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "The request body is too large."}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)
