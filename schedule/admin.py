"""HR's admin for the leave schedule. A year is opened and approved through schedule.services (the admin's add
form and its "approve" action call them); the deadlines and the trade union's opinion are edited in place.
Parts, changes, notices, acknowledgements and payroll lists are records: read-only here, written by the services
and the daily job."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hrportal.admin_mixins import ReadOnlyAdmin
from hrportal.errors import ApplicationError
from hrportal.ui_errors import error_text, service_messages
from schedule import services
from schedule.models import Acknowledgement, Campaign, Change, Notice, Part, PayrollLine, PayrollList, Submission
from staff import access


class HROnly(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.visible_in_admin(request.user, super().get_queryset(request))


class ReadOnly(ReadOnlyAdmin, HROnly):
    pass


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    can_delete = False
    readonly_fields = ("department", "submitted_by", "submitted_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = (
            "year",
            "departments",
            "proposal_deadline",
            "approval_deadline",
            "union_opinion_date",
            "union_opinion_note",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.pk is None and data.get("year") and data.get("proposal_deadline"):
            try:
                data["approval_deadline"] = services.check_campaign(
                    year=data["year"],
                    proposal_deadline=data["proposal_deadline"],
                    approval_deadline=data.get("approval_deadline"),
                )
            except ApplicationError as exc:
                for field, msgs in service_messages(exc).items():
                    self.add_error(field if field in self.fields else None, msgs)
        return data


@admin.register(Campaign)
class CampaignAdmin(HROnly):
    form = CampaignForm
    list_display = ("year", "status", "proposal_deadline", "approval_deadline", "approved_at", "union_opinion_date")
    fields = (
        "year",
        "departments",
        "proposal_deadline",
        "approval_deadline",
        "status",
        "approved_at",
        "union_opinion_date",
        "union_opinion_note",
    )
    filter_horizontal = ("departments",)
    inlines = [SubmissionInline]
    actions = ["approve"]

    def get_readonly_fields(self, request: HttpRequest, obj: Campaign | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("status", "approved_at", "union_opinion_date", "union_opinion_note")
        return ("year", "status", "approved_at")

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.campaign_open(  # the form has checked what the service checks
            actor=request.user,
            year=obj.year,
            proposal_deadline=obj.proposal_deadline,
            approval_deadline=obj.approval_deadline,
        )
        obj.pk = created.pk
        obj._state.adding = False

    @admin.action(description=_("Approve the selected schedules"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            try:
                services.campaign_approve(actor=request.user, year=campaign.year)
            except ApplicationError as exc:
                messages.error(request, f"{campaign.year}: {error_text(exc)}")
            else:
                messages.success(
                    request, gettext("The leave schedule for %(year)s is approved.") % {"year": campaign.year}
                )


class ChangeInline(admin.TabularInline):
    model = Change
    fk_name = "part"
    extra = 0
    can_delete = False
    readonly_fields = ("status", "old_start", "old_end", "new_start", "new_end", "reason", "proposed_by", "decided_by")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Part)
class PartAdmin(ReadOnly):
    list_display = ("employee", "campaign", "start_date", "end_date", "days", "planned_start", "request")
    list_filter = ("campaign__year", "leave_type")
    search_fields = ("employee__last_name", "employee__personnel_number")
    list_select_related = ("employee", "campaign", "request")
    inlines = [ChangeInline]


class AcknowledgementInline(admin.StackedInline):
    model = Acknowledgement
    can_delete = False
    readonly_fields = ("user", "at", "ip_address", "user_agent")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AcknowledgedFilter(admin.EmptyFieldListFilter):
    """The reverse one-to-one has no verbose name of its own: the filter's title says what it filters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("acknowledged")


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ("employee", "start_date", "end_date", "issued_on", "acknowledged", "print_link")
    list_filter = ("issued_on", ("acknowledgement", AcknowledgedFilter))
    search_fields = ("employee__last_name", "employee__personnel_number")
    list_select_related = ("employee", "acknowledgement")
    inlines = [AcknowledgementInline]

    @admin.display(boolean=True, description=_("acknowledged"))
    def acknowledged(self, obj: Notice) -> bool:
        return hasattr(obj, "acknowledgement")

    @admin.display(description=_("print"))
    def print_link(self, obj: Notice) -> str:
        return format_html('<a href="{}">{}</a>', reverse("schedule-notice-print", args=[obj.pk]), gettext("Print"))


class PayrollLineInline(admin.TabularInline):
    model = PayrollLine
    extra = 0
    can_delete = False
    readonly_fields = ("employee", "start_date", "end_date", "days", "vacation_pay", "late")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayrollList)
class PayrollListAdmin(ReadOnly):
    list_display = ("date", "created_at")
    inlines = [PayrollLineInline]
