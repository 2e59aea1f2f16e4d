"""HR's admin for the leave engine.

- The production calendar is editable; after a save or delete the admin lists the pending and approved
  leave the change touches, re-quoted by the new calendar.
- The ledger is read-only: entries are never changed or deleted. HR's only way to write one is "Add
  leave ledger entry", which records an adjustment through leave.services.leave_adjust.
- Absences are read-only (the requests workflow writes them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from hrportal import numbers
from hrportal.admin_mixins import ReadOnlyAdmin
from leave import calc, selectors, services
from leave.models import Absence, CalendarDay, LeaveAccount, LeaveEntry, LeaveType
from staff import access
from staff.imports.admin import ImportButtonMixin
from staff.models import Employee


def _hr_only(request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Employee data in the admin is HR's: other staff users see no rows."""
    return queryset if access.is_hr(request.user) else queryset.none()


# The request statuses a touched leave can have (requests_app sits above leave, so its choices are not imported).
STATUS_LABELS = {"pending": _("pending"), "approved": _("approved")}


def report_affected(request: HttpRequest, affected: list[selectors.AffectedLeave]) -> None:
    if not affected:
        messages.info(request, gettext("No pending or approved leave touches this date."))
        return
    lines = []
    for item in affected:
        line = gettext(
            "Request #%(id)s, %(employee)s, %(type)s %(start)s – %(end)s (%(status)s): %(booked)s days booked, "
            "%(now)s days by the new calendar."
        ) % {
            "id": item.request_id,
            "employee": item.employee.full_name,
            "type": item.leave_type.name_for(get_language() or settings.LANGUAGE_CODE),
            "start": date_format(item.start, "SHORT_DATE_FORMAT"),
            "end": date_format(item.end, "SHORT_DATE_FORMAT"),
            "status": STATUS_LABELS.get(item.status, item.status),
            "booked": numbers.number(item.days_booked),
            "now": numbers.number(item.days_charged_now),
        }
        if item.changed:
            line += " " + gettext("Re-quote needed.")
        lines.append(line)
    level = messages.WARNING if any(item.changed for item in affected) else messages.INFO
    messages.add_message(
        request, level, gettext("This change touches %(n)s leave request(s): ") % {"n": len(affected)} + " ".join(lines)
    )


@admin.action(description=_("Confirm the calendar of the selected days' years (no longer provisional)"))
def confirm_years(modeladmin: Any, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
    for year in sorted({day.year for day in queryset.dates("date", "year")}):
        services.calendar_year_confirm(year=year)
        modeladmin.message_user(request, gettext("The calendar of %(year)s is confirmed.") % {"year": year})


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    actions = [confirm_years]
    list_display = ["date", "weekday", "kind", "shortened", "name", "moved_from", "source"]
    list_filter = ["kind", "shortened", "source"]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["date"]
    readonly_fields = ["source", "updated_at"]
    fields = ["date", "kind", "shortened", "name", "moved_from", "source", "updated_at"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "D")  # the abbreviation in the reader's language

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: forms.ModelForm, change: bool) -> None:
        previous = form.initial.get("date") if change else None
        report_affected(request, services.calendar_day_save(day=obj, previous_date=previous))

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        report_affected(request, services.calendar_day_delete(day=obj))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset:
            self.delete_model(request, day)


@admin.register(LeaveType)
class LeaveTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name_ru",
        "name_en",
        "code",
        "paid",
        "counting",
        "yearly_entitlement",
        "needs_balance",
        "keeps_average_earnings",
        "absence_kind",
        "active",
    ]
    list_filter = ["paid", "counting", "absence_kind", "needs_balance", "active"]
    search_fields = ["name_ru", "name_en", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: LeaveType | None = None) -> list[str]:
        # The code is what requests and the ledger's keys refer to.
        return ["code"] if obj is not None else []


class LedgerInline(ReadOnlyAdmin, admin.TabularInline):
    model = LeaveEntry
    extra = 0
    fields = ["effective_date", "kind", "days", "request_id", "period_start", "period_end", "actor", "comment"]
    readonly_fields = fields
    ordering = ["effective_date", "id"]


@admin.register(LeaveAccount)
class LeaveAccountAdmin(ReadOnlyAdmin, ImportButtonMixin, admin.ModelAdmin):  # accounts open on first use
    import_kind = "leave_balances"
    list_display = ["employee", "leave_type", "created_at"]
    list_filter = ["leave_type", "employee__department"]
    list_select_related = ["employee", "leave_type"]
    search_fields = ["employee__last_name", "employee__first_name", "employee__personnel_number"]
    readonly_fields = ["employee", "leave_type", "balance_today", "created_at"]
    fields = readonly_fields
    inlines = [LedgerInline]

    @admin.display(description=_("balance today"))
    def balance_today(self, obj: LeaveAccount) -> str:
        b = selectors.balance(employee=obj.employee, leave_type=obj.leave_type, on=timezone.localdate())
        return gettext("accrued %(accrued)s, used %(used)s, pending %(pending)s, available %(available)s") % {
            "accrued": numbers.number(b.accrued),
            "used": numbers.number(b.used),
            "pending": numbers.number(b.pending),
            "available": numbers.number(b.available),
        }

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeaveAccount]:
        return _hr_only(request, super().get_queryset(request))


class AdjustmentForm(forms.ModelForm):
    """HR's balance adjustment: the only ledger entry a person writes (through leave_adjust)."""

    employee = forms.ModelChoiceField(
        queryset=Employee.objects.all(),
        label=_("employee"),
        # Thousands of people: searched as one types (the employee admin's search), not a select of them all.
        widget=AutocompleteSelect(LeaveAccount._meta.get_field("employee"), admin.site),
    )
    leave_type = forms.ModelChoiceField(queryset=LeaveType.objects.filter(needs_balance=True), label=_("leave type"))

    class Meta:
        model = LeaveEntry
        fields = ["days", "effective_date", "comment"]
        help_texts = {"days": _("Positive to grant days (also in advance), negative to take them back.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate
        self.fields["comment"].required = True

    def clean_days(self) -> Decimal:
        days = self.cleaned_data["days"]
        if days == 0:
            raise forms.ValidationError(gettext("An adjustment must change the balance."))
        return days


@admin.register(LeaveEntry)
class LeaveEntryAdmin(admin.ModelAdmin):
    list_display = [
        "effective_date",
        "employee",
        "leave_type",
        "kind",
        "days",
        "request_id",
        "period_start",
        "period_end",
        "actor",
        "created_at",
    ]
    list_filter = ["kind", "account__leave_type", "account__employee__department"]
    list_select_related = ["account__employee", "account__leave_type", "actor"]
    search_fields = ["account__employee__last_name", "account__employee__personnel_number", "=request_id"]
    date_hierarchy = "effective_date"
    readonly_fields = [
        "account",
        "kind",
        "days",
        "effective_date",
        "idempotency_key",
        "request_id",
        "period_start",
        "period_end",
        "actor",
        "comment",
        "created_at",
    ]

    @admin.display(description=_("employee"), ordering="account__employee__last_name")
    def employee(self, obj: LeaveEntry) -> Employee:
        return obj.account.employee

    @admin.display(description=_("leave type"), ordering="account__leave_type__sort_order")
    def leave_type(self, obj: LeaveEntry) -> str:
        return obj.account.leave_type.name_for(get_language() or settings.LANGUAGE_CODE)

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeaveEntry]:
        return _hr_only(request, super().get_queryset(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = AdjustmentForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["employee", "leave_type", "days", "effective_date", "comment"]
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: LeaveEntry, form: forms.ModelForm, change: bool) -> None:
        entry = services.leave_adjust(
            employee=form.cleaned_data["employee"],
            leave_type=form.cleaned_data["leave_type"],
            days=form.cleaned_data["days"],
            effective_date=form.cleaned_data["effective_date"],
            actor=request.user,
            comment=form.cleaned_data["comment"],
        )
        # The admin logs and redirects to `obj`: make it the entry the service wrote.
        for field in LeaveEntry._meta.concrete_fields:
            setattr(obj, field.attname, getattr(entry, field.attname))
        obj._state.adding = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.is_hr(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The absences HR records here (the request workflow records leave, trips and unpaid leave): what each counts
# toward — service for annual leave (art. 121) and the pay period (Regulation 922 item 5) — is
# leave.calc.absences.ABSENCE_RULES.
HR_RECORDED_KINDS = [
    Absence.Kind.SICK,
    Absence.Kind.MATERNITY,
    Absence.Kind.CHILD_CARE,
    Absence.Kind.NO_GOOD_CAUSE,
    Absence.Kind.SUSPENSION,
]


class AbsenceAddForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=[(k.value, k.label) for k in HR_RECORDED_KINDS])

    class Meta:
        model = Absence
        fields = ["employee", "kind", "start_date", "end_date", "comment"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", gettext("The absence cannot end before it starts."))
        return data


@admin.register(Absence)
class AbsenceAdmin(ImportButtonMixin, admin.ModelAdmin):
    import_kind = "absences"
    list_display = [
        "employee",
        "kind",
        "start_date",
        "end_date",
        "counts_toward_service",
        "in_pay_period",
        "keeps_average",
        "request_id",
        "cancelled_at",
    ]
    list_filter = ["kind", "keeps_average", ("cancelled_at", admin.EmptyFieldListFilter), "employee__department"]
    list_select_related = ["employee"]
    autocomplete_fields = ["employee"]
    search_fields = ["employee__last_name", "employee__personnel_number", "=request_id"]
    date_hierarchy = "start_date"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Absence]:
        return _hr_only(request, super().get_queryset(request))

    @admin.display(description=_("service for annual leave (art. 121)"))
    def counts_toward_service(self, obj: Absence) -> str:
        return {
            "counts": gettext("counts"),
            "first_14_days": gettext("14 days a working year"),
            "excluded": gettext("excluded"),
        }[calc.absences.ABSENCE_RULES[obj.kind].service]

    @admin.display(description=_("in the pay period (Reg. 922 item 5)"), boolean=True)
    def in_pay_period(self, obj: Absence) -> bool:
        return calc.absences.ABSENCE_RULES[obj.kind].in_pay_period

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = AbsenceAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Absence, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        recorded = services.absence_record(
            employee=data["employee"],
            kind=data["kind"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            comment=data.get("comment", ""),
        )
        form.instance = obj = recorded
        obj.pk = recorded.pk

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.is_hr(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Working-year additions (issue 16): early leave rights, settlements and the employee action.
from leave import admin_dismissal  # noqa: E402, F401 — registers its admins on import
