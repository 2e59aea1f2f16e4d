"""HR's leave pages: the settlement on dismissal (art. 127) and the list of leave not granted two working years
running (art. 124). The pages that mix leave with requests (the quote fragment, the team calendar) live above, in
requests_app and hrportal/web."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from hrportal.errors import ApplicationError
from hrportal.pages import add_service_errors, page_view
from leave import calc, selectors, services
from staff import access


class SettlementForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Dismissal date (last day of work)"), widget=forms.DateInput({"type": "date"})
    )
    ground = forms.ChoiceField(
        label=gettext_lazy("Ground"),
        choices=[(code, f"{code} — {g.article}") for code, g in calc.working_year.GROUNDS.items()],
    )


@page_view
@require_http_methods(["GET", "POST"])
def leave_settlement(request: HttpRequest, employee_id: int) -> HttpResponse:
    """HR's page: the leave a dismissal settles, with its breakdown by working year (art. 127, rules 28 and 35,
    art. 137); "Record" keeps it on the employee (leave.services.settlement_record)."""
    if not access.is_hr(request.user):
        raise PermissionDenied
    employee = access.access_employee(request.user, employee_id)
    initial = {"on": employee.termination_date or timezone.localdate(), "ground": "own_wish"}
    form = SettlementForm(request.POST if request.method == "POST" else (request.GET or None), initial=initial)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if request.method == "POST":
                services.settlement_record(employee=employee, on=data["on"], ground=data["ground"], actor=request.user)
                messages.success(request, _("The settlement is recorded."))
                return redirect(
                    f"{reverse('leave-settlement-page', args=[employee.pk])}?on={data['on'].isoformat()}"
                    f"&ground={data['ground']}"
                )
            result = selectors.settlement(employee=employee, on=data["on"], ground=data["ground"])
        except ApplicationError as exc:
            add_service_errors(form, exc)
    context: dict[str, Any] = {"employee": employee, "form": form, "result": result}
    if result is not None:
        context["months"] = selectors.months_for_page(result.breakdown)
        context["avg"] = selectors.average_for_page(result.average_earnings)
    return render(request, "leave/settlement.html", context)


@page_view
@require_GET
def overdue_leave(request: HttpRequest) -> HttpResponse:
    """HR's list of leave not granted two working years running (art. 124 part 4), on a date (default today)."""
    if not access.is_hr(request.user):
        raise PermissionDenied
    try:
        on = dt.date.fromisoformat(request.GET.get("on", "")) if request.GET.get("on") else timezone.localdate()
    except ValueError:
        on = timezone.localdate()
    return render(request, "leave/overdue.html", {"on": on, "items": selectors.overdue_leave(on=on)})
