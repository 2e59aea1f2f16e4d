from __future__ import annotations

from rest_framework import serializers

from schedule.models import Acknowledgement, Campaign, Notice, Part


class CampaignInputSerializer(serializers.Serializer):
    proposal_deadline = serializers.DateField()
    approval_deadline = serializers.DateField(required=False, allow_null=True)
    departments = serializers.ListField(required=False, max_length=1000, help_text="Department ids (empty: all).")

    def validate_departments(self, value: list[object]) -> list[int]:
        # One message for the field, not DRF's per-index map (the API's errors are {field: [messages]}).
        if not all(type(v) is int and 1 <= v < 2**63 for v in value):
            raise serializers.ValidationError("Give department ids.")
        return value  # type: ignore[return-value]


class PartInputSerializer(serializers.Serializer):
    leave_type = serializers.CharField(required=False, allow_blank=True, max_length=40)
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class MoveInputSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CommentInputSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, max_length=2000)


class ConsentInputSerializer(serializers.Serializer):
    consent = serializers.BooleanField()


class SubmitInputSerializer(serializers.Serializer):
    department = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class UnionOpinionInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    note = serializers.CharField(allow_blank=True, max_length=5000, default="")


class ExportInputSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=["t7", "actual"], default="t7")
    department = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)


class PartSerializer(serializers.ModelSerializer):
    employee_name = serializers.CharField(source="employee.full_name")
    department = serializers.IntegerField(source="employee.department_id")
    leave_type = serializers.CharField(source="leave_type.code")
    calendar_days = serializers.IntegerField()
    request = serializers.IntegerField(source="request_id", allow_null=True)

    class Meta:
        model = Part
        fields = [
            "id",
            "employee",
            "employee_name",
            "department",
            "leave_type",
            "start_date",
            "end_date",
            "calendar_days",
            "days",
            "planned_start",
            "planned_end",
            "comment",
            "request",
        ]


class CampaignSerializer(serializers.ModelSerializer):
    departments = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "year",
            "status",
            "proposal_deadline",
            "approval_deadline",
            "departments",
            "approved_at",
            "union_opinion_date",
            "union_opinion_note",
        ]

    def get_departments(self, campaign: Campaign) -> list[int]:
        return [d.pk for d in campaign.departments.all()]


class AcknowledgementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Acknowledgement
        fields = ["at", "ip_address", "user_agent"]


class NoticeSerializer(serializers.ModelSerializer):
    acknowledgement = AcknowledgementSerializer(allow_null=True, read_only=True)
    late = serializers.BooleanField()

    class Meta:
        model = Notice
        fields = ["id", "employee", "part", "start_date", "end_date", "days", "issued_on", "late", "acknowledgement"]


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    part = serializers.IntegerField(source="part_id")
    status = serializers.CharField()
    old_start = serializers.DateField()
    old_end = serializers.DateField()
    new_start = serializers.DateField()
    new_end = serializers.DateField()
    reason = serializers.CharField()
