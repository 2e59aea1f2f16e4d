"""What every HTML page of every app uses, knowing nothing of any app.

A page: `@page_view` (login required, ApplicationError → 404/403) → access helper → form → service →
redirect (POST) or a plain `render` (GET). The header's navigation is not the view's business: a context
processor of the web layer (`hrportal.web.context.nav`) gives it to every template that shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from hrportal.errors import ApplicationError, NotAllowed, NotFound
from hrportal.ui_errors import error_text, service_messages


def page_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; a service's NotFound is a 404 and NotAllowed a 403 (both render our own pages)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from None
        except NotAllowed as exc:
            raise PermissionDenied(error_text(exc)) from None

    page = login_required(wrapper)
    page.is_page = True  # type: ignore[attr-defined]  # the mark middleware acting on pages alone looks for
    return page


def add_service_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    for field, msgs in service_messages(exc).items():
        target = field if field in form.fields else None
        for message in msgs:
            form.add_error(target, message)


def attempt(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a page button's service: a refusal becomes an error message on the next page, else `success` does;
    what the user may not see stays a 404. Returns whether it succeeded."""
    try:
        action()
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return False
    messages.success(request, success)
    return True


def query_without_page(request: HttpRequest) -> str:
    """The current query string without `page`, ready to prefix `page=N` (empty or ending with "&")."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class DateInput(forms.DateInput):
    """A native date picker: the value must be ISO whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class CountlessPage:
    """One page of a list that is never counted: `per_page + 1` rows are read to know whether a next page
    exists. For lists whose COUNT grows with the company (the team calendar of a head of 30,000 people reads
    every one of them to count them); the pagination include then shows "Page N" without a total."""

    class _NoTotal:
        num_pages = None

    paginator = _NoTotal()

    def __init__(self, queryset: Any, per_page: int, number: Any) -> None:
        try:
            self.number = max(1, int(number))
        except (TypeError, ValueError):
            self.number = 1
        offset = (self.number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        if not rows and self.number > 1:  # past the end: the first page, as Paginator.get_page would fall back
            self.number, rows = 1, list(queryset[: per_page + 1])
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
