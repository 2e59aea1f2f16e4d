"""The delegation pages: a manager names a deputy for a period, or withdraws them (requests_app.delegations).

Here rather than in staff because the services they call mail the deputy, which staff may not do (see
requests_app/delegations.py); the template is still templates/staff/delegations.html.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from hrportal.errors import ApplicationError
from hrportal.pages import DateInput, add_service_errors, page_view
from requests_app.delegations import delegation_create, delegation_delete
from staff import access
from staff.models import Delegation, Employee


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
    return render(request, "staff/delegations.html", context, status=400 if form.errors else 200)


@page_view
@require_POST
def delegation_remove(request: HttpRequest, delegation_id: int) -> HttpResponse:
    me = access.employee_of(request.user)
    if me is None:
        raise Http404
    delegation_delete(manager=me, delegation_id=delegation_id, actor=request.user)
    messages.success(request, _("The delegation is withdrawn."))
    return redirect(reverse("delegations"))
