"""Input and output shapes of the staff API (../shared/CONTRACT.md, "REST API")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from staff.models import Department, Employee, PayRate, Position
from staff.selectors import current_rate
from staff.services import FTE_MAX, FTE_MIN

EARLIEST_HIRE_DATE = dt.date(1950, 1, 1)
MAX_YEARS_AHEAD = 1


# --- errors (documented in the schema) ----------------------------------------------------------


class StaffErrorSerializer(serializers.Serializer):
    """`{"detail": "…"}` of a 401/403/404 (named apart from other apps' error components)."""

    detail = serializers.CharField()


# --- output -----------------------------------------------------------------------------------


class RateOutputSerializer(serializers.Serializer):
    fte = serializers.DecimalField(max_digits=3, decimal_places=2)
    salary = serializers.DecimalField(max_digits=12, decimal_places=2)
    effective_date = serializers.DateField()


class RateHistoryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayRate
        fields = ["id", "effective_date", "fte", "salary", "comment", "created_at"]
        read_only_fields = fields


class EmployeeOutputSerializer(serializers.Serializer):
    """One employee. Context: `managers` ({employee id: manager id}), `salary_visible` (a callable
    employee → bool from staff.access.can_see_salary) and `today`.
    `rate` is present only for HR and the employee themself."""

    id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField()
    email = serializers.EmailField()
    personnel_number = serializers.CharField()
    department = serializers.IntegerField(source="department_id")
    position = serializers.IntegerField(source="position_id", allow_null=True)
    manager = serializers.SerializerMethodField()
    hire_date = serializers.DateField()
    termination_date = serializers.DateField(allow_null=True)
    # Not read-only on purpose: the schema then marks it optional, which is the truth.
    rate = RateOutputSerializer(required=False, allow_null=True)

    def get_manager(self, employee: Employee) -> int | None:
        return self.context["managers"].get(employee.pk)

    def to_representation(self, employee: Employee) -> dict[str, Any]:
        fields = self.fields
        data: dict[str, Any] = {}
        for name, field in fields.items():
            if name == "rate":
                continue
            attribute = field.get_attribute(employee)
            data[name] = None if attribute is None else field.to_representation(attribute)
        if self.context["salary_visible"](employee):
            rate = current_rate(employee, self.context.get("today") or timezone.localdate())
            data["rate"] = fields["rate"].to_representation(rate) if rate is not None else None
        return data


class DepartmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "parent", "head"]
        read_only_fields = fields


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text="The employee id; null for a user with no employee record."
    )
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    department = serializers.IntegerField(allow_null=True)
    manager = serializers.IntegerField(allow_null=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=["employee", "manager", "hr"]))


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


# --- input ------------------------------------------------------------------------------------


def _check_date_window(value: dt.date) -> dt.date:
    today = timezone.localdate()
    try:
        latest = today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)
    if value < EARLIEST_HIRE_DATE or value > latest:
        raise serializers.ValidationError(
            _("Give a date between %(first)s and %(last)s.") % {"first": EARLIEST_HIRE_DATE, "last": latest}
        )
    return value


class EmployeeCreateInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    full_name = serializers.CharField(max_length=300)
    email = serializers.EmailField()
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), required=False, allow_null=True)
    hire_date = serializers.DateField()
    fte = serializers.DecimalField(max_digits=3, decimal_places=2, min_value=FTE_MIN, max_value=FTE_MAX)
    salary = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    password = serializers.CharField(required=False, allow_blank=True, write_only=True, trim_whitespace=False)
    personnel_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    language = serializers.ChoiceField(choices=Employee.Language.choices, required=False)

    def validate_full_name(self, value: str) -> str:
        if len(value.split()) < 2:
            raise serializers.ValidationError(_("Give the full name as 'Surname Name [Patronymic]'."))
        return " ".join(value.split())

    def validate_hire_date(self, value: dt.date) -> dt.date:
        return _check_date_window(value)

    def validate_username(self, value: str) -> str:
        from django.contrib.auth import get_user_model

        if get_user_model().objects.filter(username=value).exists():
            raise serializers.ValidationError(_("This username is taken."))
        return value


class RateInputSerializer(serializers.Serializer):
    effective_date = serializers.DateField()
    fte = serializers.DecimalField(max_digits=3, decimal_places=2, min_value=FTE_MIN, max_value=FTE_MAX)
    salary = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    def validate_effective_date(self, value: dt.date) -> dt.date:
        return _check_date_window(value)
