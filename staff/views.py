"""HTML pages of staff: the dashboard, the profile, delegations; and the helpers every page uses.

Every page: `@page_view` (login required, ApplicationError → 404/403) → access helper → form → service →
redirect (POST) or `render_page` (GET). `page_view` adopts the employee's saved language on the first page
after login; `render_page` adds the navigation the user's roles allow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrportal.errors import ApplicationError, NotAllowed, NotFound
from hrportal.ui_errors import error_text, service_messages
from leave import selectors as leave_selectors
from staff import access
from staff.models import Delegation, Employee
from staff.selectors import current_rate
from staff.services import delegation_create, delegation_delete, employee_update

# --- shared page helpers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Nav:
    """What the header offers this user (each flag is a role check from staff.access)."""

    employee: Employee | None
    is_hr: bool
    manages: bool  # heads a subtree, stands in for a manager, or has reports by override
    can_admin: bool
    approvals_count: int

    @property
    def can_approve(self) -> bool:
        """Has an approvals inbox. Also the gate of the pay-rate change pages: the roles that may propose a rate
        (`access.can_change_rate`: HR anyone's, a head, a deputy today or an override manager their reports');
        the form offers only whom the rule allows (`access.rate_change_candidates`, possibly nobody, e.g. for
        the head of an empty department) and the service checks the chosen employee again."""
        return self.is_hr or self.manages


def nav_for(user: Any) -> Nav:
    is_hr = access.is_hr(user)
    manages = access.manages_anyone(user)
    from requests_app import policy

    count = policy.inbox(user).count() if (is_hr or manages) else 0
    return Nav(
        employee=access.employee_of(user),
        is_hr=is_hr,
        manages=manages,
        can_admin=is_hr and bool(user.is_staff),
        approvals_count=count,
    )


def _adopt_saved_language(request: HttpRequest, employee: Employee | None) -> str | None:
    """The first page without a language cookie speaks the employee's saved language (and sets the cookie)."""
    if employee is None or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return None
    if employee.language not in dict(settings.LANGUAGES):
        return None
    translation.activate(employee.language)
    request.LANGUAGE_CODE = employee.language
    return employee.language


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


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200, nav: Nav | None = None
) -> HttpResponse:
    """Render a full page with the navigation of the user's roles (`nav` when the view built it already)."""
    return render(request, template, {"nav": nav or nav_for(request.user), **context}, status=status)


def page_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; the employee's saved language on the first page after login; a service's NotFound is
    a 404 and NotAllowed a 403 (both render our own pages)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        adopted = _adopt_saved_language(request, access.employee_of(request.user))
        try:
            response = view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from None
        except NotAllowed as exc:
            raise PermissionDenied(error_text(exc)) from None
        if adopted and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            set_language_cookie(response, adopted)
        return response

    return login_required(wrapper)


def add_service_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    for field, msgs in service_messages(exc).items():
        target = field if field in form.fields else None
        for message in msgs:
            form.add_error(target, message)


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


def parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def leave_type_names(language: str) -> dict[str, str]:
    return {t.code: t.name_for(language) for t in leave_selectors.leave_types()}


# --- dashboard -------------------------------------------------------------------------------------------

UPCOMING_LIMIT = 10
RECENT_LIMIT = 10
INBOX_PREVIEW = 5


@page_view
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    from requests_app import policy
    from requests_app.models import Request

    today = timezone.localdate()
    on = parse_date(request.GET.get("on"), today)
    me = access.employee_of(request.user)
    nav = nav_for(request.user)
    context: dict[str, Any] = {"today": today, "on": on, "employee": me}
    if me is not None:
        names = leave_type_names(translation.get_language() or settings.LANGUAGE_CODE)
        context["balances"] = [
            {"name": names.get(b.leave_type, b.leave_type), "balance": b}
            for b in leave_selectors.balances(employee=me, on=on)
            # A type this employee never earns (no additional days) would only show a row of zeros.
            if b.accrued or b.used or b.pending
        ]
        mine = policy.own(request.user).with_details().order_by("-created_at", "-id")
        context["upcoming"] = list(
            mine.filter(
                employee=me,
                kind__in=Request.ABSENCE_KINDS,
                status__in=[Request.Status.PENDING, Request.Status.APPROVED],
                end_date__gte=today,
            ).order_by("start_date", "id")[:UPCOMING_LIMIT]
        )
        context["recent"] = list(mine[:RECENT_LIMIT])
    if nav.can_approve:
        inbox = policy.inbox(request.user).with_details()
        context["inbox"] = list(inbox.order_by("created_at", "id")[:INBOX_PREVIEW])
    return render_page(request, "staff/dashboard.html", context, nav=nav)


# --- profile ---------------------------------------------------------------------------------------------


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Employee.Language.choices)


@page_view
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    me = access.employee_of(request.user)
    if me is None:
        raise Http404(_("You have no employee record."))
    form = LanguageForm(request.POST or None, initial={"language": me.language})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            employee_update(employee=me, actor=request.user, changes={"language": language}, reason="language")
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            translation.activate(language)
            messages.success(request, _("Your language is saved."))
            response = redirect("profile")
            set_language_cookie(response, language)
            return response
    rate = current_rate(me, timezone.localdate()) if access.can_see_salary(request.user, me) else None
    context = {
        "employee": me,
        "manager": access.manager_of(me),
        "rate": rate,
        "roles": access.roles_of(request.user),
        "form": form,
    }
    return render_page(request, "staff/profile.html", context, status=400 if form.errors else 200)


# --- delegations -----------------------------------------------------------------------------------------
class DelegationForm(forms.Form):
    deputy = forms.ModelChoiceField(label=gettext_lazy("Deputy"), queryset=Employee.objects.none())
    start_date = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("To"), widget=DateInput())

    def __init__(self, *args: Any, user: Any, me: Employee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = (
            access.visible_employees(user)
            .filter(termination_date__isnull=True, user__is_active=True)
            .exclude(pk=me.pk)
            .order_by("last_name", "first_name", "pk")
        )
        self.fields["deputy"].label_from_instance = lambda e: f"{e.full_name} — {e.department.name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The period cannot end before it starts."))
        return data


@page_view
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    me = access.employee_of(request.user)
    if me is None or not access.manages_anyone(request.user):
        raise PermissionDenied(_("Delegations are for managers."))
    today = timezone.localdate()
    form = DelegationForm(
        request.POST or None,
        user=request.user,
        me=me,
        initial={"start_date": today, "end_date": today + dt.timedelta(days=13)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            delegation_create(
                manager=me,
                deputy=form.cleaned_data["deputy"],
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The delegation is saved."))
            return redirect("delegations")
    given = Delegation.objects.filter(manager=me).select_related("deputy__department").order_by("-start_date", "-id")
    taken = Delegation.objects.filter(deputy=me).select_related("manager__department").order_by("-start_date", "-id")
    context = {"form": form, "given": list(given[:50]), "taken": list(taken[:50]), "today": today}
    return render_page(request, "staff/delegations.html", context, status=400 if form.errors else 200)


@page_view
@require_POST
def delegation_remove(request: HttpRequest, delegation_id: int) -> HttpResponse:
    me = access.employee_of(request.user)
    if me is None:
        raise Http404
    delegation_delete(manager=me, delegation_id=delegation_id, actor=request.user)
    messages.success(request, _("The delegation is withdrawn."))
    return redirect(reverse("delegations"))
