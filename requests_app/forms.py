"""Forms of the request pages. They check shapes only; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hrportal.pages import DateInput
from leave.models import Absence, LeaveType
from requests_app.models import CertificateDetails, Request
from staff import access
from staff.models import Employee

COMMENT_MAX = 2000


class _PeriodMixin:
    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))  # type: ignore[attr-defined]
        return data


class LeaveTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LeaveType) -> str:
        return obj.name_for(translation.get_language() or "ru")


def _comment_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LeaveRequestForm(_PeriodMixin, forms.Form):
    leave_type = LeaveTypeField(
        label=gettext_lazy("Leave type"),
        queryset=LeaveType.objects.filter(active=True).exclude(absence_kind=LeaveType.AbsenceKind.SICK),
        to_field_name="code",
        empty_label=None,
    )
    start_date = forms.DateField(label=gettext_lazy("First day"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())
    unpaid_reason = forms.ChoiceField(
        label=gettext_lazy("Reason for unpaid leave"),
        choices=[("", "—"), *Absence.UnpaidReason.choices],
        required=False,
        help_text=gettext_lazy(
            "Unpaid leave only. For the reasons of art. 128 part 2 and art. 263 the employer cannot refuse, within "
            "the limit of days."
        ),
    )
    comment = _comment_field()

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": Request.Kind.LEAVE,
            "leave_type": data["leave_type"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "comment": data["comment"],
            "unpaid_reason": data.get("unpaid_reason", ""),
        }


class TripRequestForm(_PeriodMixin, forms.Form):
    start_date = forms.DateField(label=gettext_lazy("First day"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())
    destination = forms.CharField(label=gettext_lazy("Destination"), max_length=200)
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=COMMENT_MAX, widget=forms.Textarea({"rows": 3}))
    comment = _comment_field()

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": Request.Kind.BUSINESS_TRIP,
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "destination": data["destination"],
            "purpose": data["purpose"],
            "comment": data["comment"],
        }


class CertificateRequestForm(forms.Form):
    certificate_type = forms.ChoiceField(label=gettext_lazy("Certificate"), choices=CertificateDetails.Type.choices)
    copies = forms.IntegerField(label=gettext_lazy("Copies"), min_value=1, max_value=10, initial=1)
    comment = _comment_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["certificate_type"].choices = [(v, capfirst(label)) for v, label in CertificateDetails.Type.choices]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": Request.Kind.CERTIFICATE,
            "certificate_type": data["certificate_type"],
            "copies": data["copies"],
            "comment": data["comment"],
        }


class EmployeeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.full_name} — {obj.department.name}"


class RateChangeForm(forms.Form):
    employee = EmployeeField(label=gettext_lazy("Employee"), queryset=Employee.objects.none())
    effective_date = forms.DateField(label=gettext_lazy("Effective from"), widget=DateInput())
    fte = forms.DecimalField(
        label=gettext_lazy("FTE"), max_digits=3, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("1.5")
    )
    salary = forms.DecimalField(
        label=gettext_lazy("Monthly salary, RUB"), max_digits=12, decimal_places=2, min_value=Decimal("0")
    )
    indexation = forms.BooleanField(
        label=gettext_lazy("Part of an organisation- or department-wide indexation (Regulation 922 item 16)"),
        required=False,
    )
    comment = _comment_field()
    below_minimum_wage_confirmed = forms.BooleanField(
        label=gettext_lazy("I confirm a salary below the minimum wage"),
        required=False,
        help_text=gettext_lazy("HR only, with the reason below: an apprentice, for instance (art. 133)."),
    )
    below_minimum_wage_reason = forms.CharField(
        label=gettext_lazy("Reason for a salary below the minimum wage"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = rate_change_candidates(user)
        if not access.is_hr(user):
            del self.fields["indexation"]  # HR's marks only (requests_app.policy)
            del self.fields["below_minimum_wage_confirmed"]
            del self.fields["below_minimum_wage_reason"]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": Request.Kind.RATE_CHANGE,
            "employee": data["employee"],
            "effective_date": data["effective_date"],
            "fte": data["fte"],
            "salary": data["salary"],
            "comment": data["comment"],
            "indexation": data.get("indexation", False),
            "below_minimum_wage_confirmed": data.get("below_minimum_wage_confirmed", False),
            "below_minimum_wage_reason": data.get("below_minimum_wage_reason", ""),
        }


def rate_change_candidates(user: Any) -> Any:
    return access.rate_change_candidates(user).order_by("last_name", "first_name", "pk")


REQUEST_FORMS: dict[str, type[forms.Form]] = {
    Request.Kind.LEAVE: LeaveRequestForm,
    Request.Kind.BUSINESS_TRIP: TripRequestForm,
    Request.Kind.CERTIFICATE: CertificateRequestForm,
}


class DecisionForm(forms.Form):
    """Approve or reject one request; a rejection says why."""

    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")], widget=forms.HiddenInput)
    comment = _comment_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the request is rejected."))
        return data


class CancelForm(forms.Form):
    comment = _comment_field()


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [(value, capfirst(label)) for value, label in Request.Kind.choices]
        self.fields["kind"].choices = [("", _("All kinds")), *kinds]


class BulkDecisionForm(forms.Form):
    """The inbox: the checked pending requests (`ids`) and cancellations (`cancellations`), or one row's button
    (`single` = "approve:ID" / "reject:ID" for a pending request, "confirm:ID" / "decline:ID" for a cancellation
    the employee asked for). `decision` is "approve" (confirm, for a cancellation) or "reject" (decline)."""

    SINGLE = {
        "approve": ("approve", "ids"),
        "reject": ("reject", "ids"),
        "confirm": ("approve", "cancellations"),
        "decline": ("reject", "cancellations"),
    }

    decision = forms.ChoiceField(required=False, choices=[("approve", "approve"), ("reject", "reject")])
    single = forms.CharField(required=False, max_length=40)
    comment = _comment_field()

    def __init__(
        self, *args: Any, checked_ids: list[int], checked_cancellations: list[int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.checked_ids = checked_ids
        self.checked_cancellations = checked_cancellations or []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        single = (data.get("single") or "").strip()
        data["ids"] = list(self.checked_ids)
        data["cancellations"] = list(self.checked_cancellations)
        if single:
            action, _sep, raw_id = single.partition(":")
            if action not in self.SINGLE or not raw_id.isdigit():
                raise forms.ValidationError(_("Unknown action."))
            data["decision"], which = self.SINGLE[action]
            data["ids"], data["cancellations"] = [], []
            data[which] = [int(raw_id)]
        if not data.get("decision"):
            raise forms.ValidationError(_("Choose to approve or to reject."))
        if not data["ids"] and not data["cancellations"]:
            raise forms.ValidationError(_("Select at least one request."))
        if data["decision"] == "reject" and not (data.get("comment") or "").strip():
            if data["ids"]:
                self.add_error("comment", _("Say why the requests are rejected."))
            else:
                self.add_error("comment", _("Say why the cancellation is declined."))
        return data
