"""Per-request rules of the signed-in employee: whoever has left is refused, and the first page speaks the
employee's saved language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation

from hrportal.pages import set_language_cookie
from staff.access import employee_of, is_active_user


class ActiveEmployeeMiddleware:
    """Reject every request of a deactivated user or a terminated employee, even mid-session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not is_active_user(user):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Your account is not active."}, status=401)
            return redirect("login")
        return self.get_response(request)


class SavedLanguageMiddleware:
    """A page (`hrportal.pages.page_view`) requested without a language cookie speaks the employee's saved
    language and sets the cookie, so the first page after login is in it; the admin and the API keep the
    negotiated language. After LocaleMiddleware, which it overrides; the employee came with the user
    (staff.authentication), so this costs no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, "saved_language", None)
        if language and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            set_language_cookie(response, language)
        return response

    def process_view(self, request: HttpRequest, view: Callable[..., HttpResponse], *args: Any) -> None:
        if not getattr(view, "is_page", False) or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return
        employee = employee_of(request.user)
        if employee is None or employee.language not in dict(settings.LANGUAGES):
            return
        translation.activate(employee.language)
        request.LANGUAGE_CODE = employee.language
        request.saved_language = employee.language  # type: ignore[attr-defined]
