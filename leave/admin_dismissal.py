"""HR's admin for leave by working year: art. 122 part 3 rights, settlements on dismissal (read-only; recorded
from the settlement page) and the "Settle leave on dismissal" action added to staff's employee admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hrportal.admin_mixins import ReadOnlyAdmin
from leave.models import EarlyLeaveRight, LeaveSettlement
from staff import access
from staff.models import Employee


def _hr_only(request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset if access.is_hr(request.user) else queryset.none()


@admin.register(EarlyLeaveRight)
class EarlyLeaveRightAdmin(admin.ModelAdmin):
    """HR records who may take the first year's leave before six months on request (art. 122 part 3,
    art. 123 part 4); the quote then does not route such a leave to HR."""

    list_display = ["employee", "category", "valid_from", "valid_to", "created_by"]
    list_filter = ["category"]
    list_select_related = ["employee", "created_by"]
    search_fields = ["employee__last_name", "employee__personnel_number"]
    autocomplete_fields = ["employee"]
    date_hierarchy = "valid_from"
    fields = ["employee", "category", "valid_from", "valid_to", "comment"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EarlyLeaveRight]:
        return _hr_only(request, super().get_queryset(request))

    def save_model(self, request: HttpRequest, obj: EarlyLeaveRight, form: forms.ModelForm, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.is_hr(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_hr(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_hr(request.user)


@admin.register(LeaveSettlement)
class LeaveSettlementAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Settlements are recorded from the settlement page (the employee action "Settle leave on dismissal")."""

    list_display = ["employee", "termination_date", "ground", "compensated_days", "deductible_days", "compensation"]
    list_select_related = ["employee"]
    search_fields = ["employee__last_name", "employee__personnel_number"]
    date_hierarchy = "termination_date"
    readonly_fields = [
        "employee",
        "termination_date",
        "ground",
        "unused_days",
        "compensated_days",
        "deductible_days",
        "average_daily_earnings",
        "compensation",
        "lines",
        "notes",
        "actor",
        "created_at",
        "page",
    ]
    fields = readonly_fields

    @admin.display(description=_("breakdown"))
    def page(self, obj: LeaveSettlement) -> str:
        url = reverse("leave-settlement-page", args=[obj.employee_id])
        return format_html('<a href="{}?on={}&amp;ground={}">{}</a>', url, obj.termination_date, obj.ground, url)

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeaveSettlement]:
        return _hr_only(request, super().get_queryset(request))


@admin.action(description=_("Settle leave on dismissal"))
def settle_leave_on_dismissal(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Employee]
) -> HttpResponseRedirect | None:
    """Opens the settlement page of the (first) selected employee, on their dismissal date if set."""
    if not access.is_hr(request.user):
        messages.error(request, gettext("Only HR settles leave on dismissal."))
        return None
    employee = queryset.order_by("pk").first()
    if employee is None:
        return None
    url = reverse("leave-settlement-page", args=[employee.pk])
    if employee.termination_date:
        url += f"?on={employee.termination_date.isoformat()}&ground=own_wish"
    return HttpResponseRedirect(url)


# The employee admin is staff's, and staff knows nothing of leave: leave adds its action to it (staff is
# installed before leave, so its admin is registered by now).
if admin.site.is_registered(Employee):
    _employee_admin = admin.site.get_model_admin(Employee)
    _employee_admin.actions = [*(_employee_admin.actions or []), settle_leave_on_dismissal]
