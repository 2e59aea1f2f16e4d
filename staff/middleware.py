"""Reject every request of a deactivated user or a terminated employee, even mid-session."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from staff.access import is_active_user


class ActiveEmployeeMiddleware:
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
