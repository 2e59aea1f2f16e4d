"""Input and output shapes of the requests API (CONTRACT.md, "Requests")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from leave.models import Absence, LeaveType
from requests_app.models import CertificateDetails, Request, RequestEvent


class _DatesMixin:
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["The end date is before the start date."]})
        return attrs


class KindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Request.Kind.choices)


class LeaveInputSerializer(_DatesMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Request.Kind.LEAVE])
    leave_type = serializers.SlugRelatedField(slug_field="code", queryset=LeaveType.objects.all())
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    employee = serializers.IntegerField(required=False, help_text="Only your own id is accepted.")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    unpaid_reason = serializers.ChoiceField(
        choices=Absence.UnpaidReason.choices,
        required=False,
        default="",
        help_text="Unpaid leave only (art. 128): `agreement` (the default) or a statutory reason the employer "
        "cannot refuse, within its yearly or per-event limit.",
    )


class TripInputSerializer(_DatesMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Request.Kind.BUSINESS_TRIP])
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    destination = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=2000)
    employee = serializers.IntegerField(required=False, help_text="Only your own id is accepted.")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CertificateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Request.Kind.CERTIFICATE])
    certificate_type = serializers.ChoiceField(choices=CertificateDetails.Type.choices)
    copies = serializers.IntegerField(min_value=1, max_value=10, default=1)
    employee = serializers.IntegerField(required=False, help_text="Only your own id is accepted.")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RateChangeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Request.Kind.RATE_CHANGE])
    employee = serializers.IntegerField()
    effective_date = serializers.DateField()
    fte = serializers.DecimalField(max_digits=3, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("1.5"))
    salary = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    indexation = serializers.BooleanField(
        required=False,
        default=False,
        help_text="HR only (403 otherwise): the raise is part of an organisation- or department-wide indexation "
        "(Regulation 922 item 16), so average earnings before it are indexed.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    below_minimum_wage_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="HR only: file a salary below the minimum wage × FTE of the effective date (art. 133), e.g. for an "
        "apprentice; needs `below_minimum_wage_reason`. Without it such a salary is a 400 on `salary`.",
    )
    below_minimum_wage_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


INPUT_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    Request.Kind.LEAVE: LeaveInputSerializer,
    Request.Kind.BUSINESS_TRIP: TripInputSerializer,
    Request.Kind.CERTIFICATE: CertificateInputSerializer,
    Request.Kind.RATE_CHANGE: RateChangeInputSerializer,
}


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")
    on_behalf_of = serializers.CharField(source="on_behalf_of.full_name", allow_null=True, default=None)

    class Meta:
        model = RequestEvent
        fields = ["action", "actor", "on_behalf_of", "stage", "from_status", "to_status", "comment", "at"]


class RequestOutputSerializer(serializers.ModelSerializer):
    employee_name = serializers.CharField(source="employee.full_name")
    leave_type = serializers.SerializerMethodField()
    days = serializers.SerializerMethodField()
    unpaid_reason = serializers.SerializerMethodField()
    destination = serializers.SerializerMethodField()
    purpose = serializers.SerializerMethodField()
    certificate_type = serializers.SerializerMethodField()
    copies = serializers.SerializerMethodField()
    effective_date = serializers.SerializerMethodField()
    fte = serializers.SerializerMethodField()
    salary = serializers.SerializerMethodField()
    indexation = serializers.SerializerMethodField()
    rate_comparison = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField()
    history = EventSerializer(source="events", many=True, read_only=True)

    class Meta:
        model = Request
        fields = [
            "id",
            "kind",
            "status",
            "stage",
            "employee",
            "employee_name",
            "start_date",
            "end_date",
            "comment",
            "cancel_requested",
            "created_at",
            "decided_at",
            "leave_type",
            "days",
            "unpaid_reason",
            "destination",
            "purpose",
            "certificate_type",
            "copies",
            "effective_date",
            "fte",
            "salary",
            "indexation",
            "rate_comparison",
            "superseded_by",
            "history",
        ]

    def _detail(self, obj: Request, kind: str, attr: str) -> Any:
        if obj.kind != kind:
            return None
        related = {
            "leave": "leave",
            "business_trip": "trip",
            "certificate": "certificate",
            "rate_change": "rate_change",
        }
        details = getattr(obj, related[kind], None)
        return getattr(details, attr, None) if details is not None else None

    def get_leave_type(self, obj: Request) -> str | None:
        details = getattr(obj, "leave", None) if obj.kind == Request.Kind.LEAVE else None
        return details.leave_type.code if details is not None else None

    def get_unpaid_reason(self, obj: Request) -> str | None:
        return self._detail(obj, "leave", "unpaid_reason") or None

    def get_days(self, obj: Request) -> str | None:
        days = self._detail(obj, Request.Kind.LEAVE, "days")
        return f"{days:.2f}" if days is not None else None

    def get_destination(self, obj: Request) -> str | None:
        return self._detail(obj, Request.Kind.BUSINESS_TRIP, "destination")

    def get_purpose(self, obj: Request) -> str | None:
        return self._detail(obj, Request.Kind.BUSINESS_TRIP, "purpose")

    def get_certificate_type(self, obj: Request) -> str | None:
        return self._detail(obj, Request.Kind.CERTIFICATE, "certificate_type")

    def get_copies(self, obj: Request) -> int | None:
        return self._detail(obj, Request.Kind.CERTIFICATE, "copies")

    def get_effective_date(self, obj: Request) -> str | None:
        value = self._detail(obj, Request.Kind.RATE_CHANGE, "effective_date")
        return value.isoformat() if value else None

    def _can_see_money(self, obj: Request) -> bool:
        from staff.access import can_change_rate, can_see_salary

        user = self.context["request"].user
        return can_see_salary(user, obj.employee) or can_change_rate(user, obj.employee)

    def get_fte(self, obj: Request) -> str | None:
        value = self._detail(obj, Request.Kind.RATE_CHANGE, "fte")
        return f"{value:.2f}" if value is not None and self._can_see_money(obj) else None

    def get_salary(self, obj: Request) -> str | None:
        value = self._detail(obj, Request.Kind.RATE_CHANGE, "salary")
        return f"{value:.2f}" if value is not None and self._can_see_money(obj) else None

    def get_indexation(self, obj: Request) -> bool | None:
        return self._detail(obj, Request.Kind.RATE_CHANGE, "indexation")

    def get_superseded_by(self, obj: Request) -> int | None:
        """The later approved change of the same employee and date that replaced this one."""
        details = getattr(obj, "rate_change", None) if obj.kind == Request.Kind.RATE_CHANGE else None
        return details.superseded_by_id if details is not None else None

    def get_rate_comparison(self, obj: Request) -> dict[str, Any] | None:
        """Current → new (the rate in force on the effective date when filed; once approved, what it replaced), the
        salary change in %, the last change's date, and HR's reason for a salary below the minimum wage. The current
        values only for whoever may see the employee's pay (HR, the employee): a manager gets them as null."""
        from requests_app.selectors import comparison_for

        c = comparison_for(self.context["request"].user, obj)
        if c is None:
            return None
        percent = c.salary_change_percent

        def money(value: Decimal | None) -> str | None:
            return f"{value:.2f}" if value is not None else None

        return {
            "previous_fte": money(c.previous_fte),
            "previous_salary": money(c.previous_salary),
            "fte": money(c.fte),
            "salary": money(c.salary),
            "salary_change_percent": money(percent),
            "last_change_date": c.last_change.isoformat() if c.last_change else None,
            "minimum_wage_floor": money(c.floor),
            "below_minimum_wage_reason": obj.rate_change.below_minimum_wage_reason or None,
        }
