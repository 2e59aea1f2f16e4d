"""HTML pages of staff: the profile (language). The delegation pages are requests_app's (delegation_views.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n
from django.views.decorators.http import require_http_methods

from hrportal.errors import ApplicationError
from hrportal.pages import add_service_errors, page_view, set_language_cookie
from staff import access
from staff.models import Employee
from staff.selectors import current_rate
from staff.services import employee_update

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
    return render(request, "staff/profile.html", context, status=400 if form.errors else 200)


def set_language(request: HttpRequest) -> HttpResponse:
    """The header's RU/EN switch: Django's set_language (the cookie, the redirect back), and for a signed-in
    employee the profile too, so the profile stays the one place the language is kept (SavedLanguageMiddleware
    speaks it on the first page of every new browser). Open to visitors who are not signed in (the login page)."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.method != "POST" or language not in Employee.Language.values:
        return response
    me = access.employee_of(request.user) if request.user.is_authenticated else None
    if me is not None and me.language != language:
        employee_update(employee=me, actor=request.user, changes={"language": language}, reason="language")
    return response
