"""The admin's bulk "indexation" action on the employee list (Regulation 922 item 16): HR picks employees (a
department through the list's filter), a percentage and a date; `requests_app.indexation` files the rate-change
requests, each approved like any pay change. The employee admin is staff's and staff knows nothing of requests,
so this module adds the action to it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hrportal.errors import ApplicationError
from hrportal.pages import DateInput
from requests_app.indexation import MAX_PERCENT, indexation_file
from staff import access
from staff.models import Employee


class IndexationForm(forms.Form):
    percent = forms.DecimalField(
        label=_("Raise, %"), max_digits=6, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_PERCENT
    )
    effective_date = forms.DateField(label=_("Effective from"), widget=DateInput())
    comment = forms.CharField(label=_("Order or reason"), max_length=300, required=False)


@admin.action(description=_("Index salaries (organisation- or department-wide raise)"))
def index_salaries(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Employee]
) -> HttpResponse | None:
    if not access.is_hr(request.user):
        messages.error(request, gettext("Only HR files an indexation."))
        return None
    form = IndexationForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        try:
            result = indexation_file(
                actor=request.user,
                employees=queryset.select_related("department").order_by("pk"),
                percent=form.cleaned_data["percent"],
                effective_date=form.cleaned_data["effective_date"],
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as exc:
            messages.error(request, gettext("Nothing filed: %(error)s") % {"error": exc})
            return None
        messages.success(
            request,
            gettext("%(count)s indexation requests filed; each is approved like any pay change.")
            % {"count": len(result.filed)},
        )
        for employee, why in result.skipped:
            messages.warning(request, gettext("Skipped %(name)s: %(why)s") % {"name": employee.full_name, "why": why})
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("Index salaries"),
        "form": form,
        "employees": queryset.order_by("last_name", "first_name"),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/staff/employee/index_salaries.html", context)


def register() -> Any:
    if admin.site.is_registered(Employee):
        employee_admin = admin.site.get_model_admin(Employee)
        if index_salaries not in (employee_admin.actions or []):
            employee_admin.actions = [*(employee_admin.actions or []), index_salaries]


register()
