"""Requests in the admin: read-only records; decisions go through the services (actions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hrportal.admin_mixins import ReadOnlyAdmin
from hrportal.errors import ApplicationError
from requests_app import policy, services
from requests_app.delegations import delegation_remove, delegation_save
from requests_app.models import (
    CertificateDetails,
    LeaveDetails,
    RateChangeDetails,
    Request,
    RequestEvent,
    TripDetails,
)
from requests_app.selectors import salary_change_percent
from staff.admin import HRAdminMixin
from staff.models import Delegation
from staff.selectors import employee_search_q


class _ReadOnlyInline(ReadOnlyAdmin, admin.StackedInline):
    extra = 0


class LeaveInline(_ReadOnlyInline):
    model = LeaveDetails
    fields = ["leave_type", "days"]


class TripInline(_ReadOnlyInline):
    model = TripDetails


class CertificateInline(_ReadOnlyInline):
    model = CertificateDetails


class RateChangeInline(_ReadOnlyInline):
    """The change, what it replaced (current → new), HR's reason for a salary below the minimum wage, and the later
    approval of the same date that superseded it, if any (its history also says so)."""

    model = RateChangeDetails
    fk_name = "request"
    fields = [
        "effective_date",
        ("previous_fte", "fte"),
        ("previous_salary", "salary"),
        "salary_change",
        "previous_effective_date",
        "below_minimum_wage_reason",
        "pay_rate",
        "superseded_by",
        "supersedes_display",
    ]
    readonly_fields = ["salary_change", "supersedes_display"]

    @admin.display(description=_("salary change"))
    def salary_change(self, obj: RateChangeDetails) -> str:
        percent = salary_change_percent(obj.previous_salary, obj.salary)
        return "—" if percent is None else f"{percent:+.2f} %"

    @admin.display(description=_("supersedes"))
    def supersedes_display(self, obj: RateChangeDetails) -> str:
        return ", ".join(f"#{pk}" for pk in obj.request.supersedes.values_list("request_id", flat=True)) or "—"


class EventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "on_behalf_of", "stage", "from_status", "to_status", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _decide(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Request], action: str) -> None:
    """Decide each selected request through the service, which asks the policy (its refusal is shown per row)."""
    service = {"approve": services.request_approve, "reject": services.request_reject}[action]
    done, failed = 0, []
    for pk in queryset.values_list("pk", flat=True):
        try:
            service(request_id=pk, actor=request.user, comment=str(_("Decided in the admin")))
            done += 1
        except ApplicationError as exc:
            failed.append(f"#{pk}: {exc}")
    if done:
        modeladmin.message_user(request, _("%(n)d request(s) processed.") % {"n": done}, messages.SUCCESS)
    for line in failed:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.action(description=_("Approve selected requests"))
def approve_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Request]) -> None:
    _decide(modeladmin, request, queryset, "approve")


@admin.action(description=_("Reject selected requests"))
def reject_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Request]) -> None:
    _decide(modeladmin, request, queryset, "reject")


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "employee", "status", "stage", "start_date", "end_date", "created_at"]
    list_filter = ["kind", "status", "stage", "employee__department"]
    search_fields = ["employee__last_name", "employee__first_name", "employee__personnel_number", "comment"]
    date_hierarchy = "created_at"
    list_select_related = ["employee"]
    inlines = [LeaveInline, TripInline, CertificateInline, RateChangeInline, EventInline]
    actions = [approve_selected, reject_selected]
    # Every field read-only; the approval chain shown by its steps' names instead of the stored codes.
    readonly_fields = [f.name if f.name != "stages" else "stages_display" for f in Request._meta.fields]

    @admin.display(description=_("approval chain"))
    def stages_display(self, obj: Request) -> str:
        labels = dict(Request.Stage.choices)
        return " → ".join(str(labels.get(stage, stage)) for stage in obj.stages) or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Request]:
        return policy.visible(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requests are filed through the portal or the API (services validate them)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_inlines(self, request: HttpRequest, obj: Request | None) -> list[Any]:
        if obj is None:
            return []
        kind_inline = {
            Request.Kind.LEAVE: LeaveInline,
            Request.Kind.BUSINESS_TRIP: TripInline,
            Request.Kind.CERTIFICATE: CertificateInline,
            Request.Kind.RATE_CHANGE: RateChangeInline,
        }[obj.kind]
        return [kind_inline, EventInline]


# --- delegations (staff's model; their writes are requests_app.delegations, which mail the deputy) ---------


@admin.register(Delegation)
class DelegationAdmin(HRAdminMixin, SimpleHistoryAdmin):
    """Shown under Staff as before; saving and deleting go through the services, so the deputy hears of it."""

    list_display = ["deputy", "manager", "start_date", "end_date"]
    list_select_related = ["deputy", "manager"]
    list_filter = ["start_date"]
    autocomplete_fields = ["manager", "deputy"]
    date_hierarchy = "start_date"
    search_fields = ["manager__last_name", "deputy__last_name"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Delegation], search_term: str
    ) -> tuple[QuerySet[Delegation], bool]:
        if not search_term.strip():
            return queryset, False
        return queryset.filter(
            employee_search_q(search_term, prefix="manager__") | employee_search_q(search_term, prefix="deputy__")
        ), False

    def save_model(self, request: HttpRequest, obj: Delegation, form: Any, change: bool) -> None:
        delegation_save(delegation=obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Delegation) -> None:
        delegation_remove(delegation=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Delegation]) -> None:
        for delegation in queryset:
            delegation_remove(delegation=delegation, actor=request.user)


from requests_app import admin_indexation  # noqa: E402, F401 — adds the indexation action to the employee admin
