"""The leave schedule API (CONTRACT.md, "Leave schedule" and "Notices"): one view per operation, errors from the
ApplicationError family. The T-7 export is reports' (reports.api.ScheduleExportApi), on this URL prefix."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from hrportal.errors import ValidationFailed
from hrportal.schema import ERROR_RESPONSES
from schedule import notices, selectors, services
from schedule.serializers import (
    CampaignInputSerializer,
    CampaignSerializer,
    ChangeSerializer,
    CommentInputSerializer,
    ConsentInputSerializer,
    MoveInputSerializer,
    NoticeSerializer,
    PartInputSerializer,
    PartSerializer,
    SubmitInputSerializer,
    UnionOpinionInputSerializer,
)
from staff import access
from staff.models import Department

ERRORS = ERROR_RESPONSES


def _department(user: Any, department_id: Any, field: str = "department") -> Department | None:
    if department_id in (None, ""):
        return None
    try:
        return access.visible_departments(user).get(pk=int(department_id))
    except (Department.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("Unknown department, or one you may not see.", field=field) from None


def _valid(serializer_class: Any, data: Any) -> dict[str, Any]:
    body = serializer_class(data=data)
    body.is_valid(raise_exception=True)
    return body.validated_data  # type: ignore[no-any-return]


class ScheduleApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("department", int, required=False)],
        responses={200: CampaignSerializer, **ERRORS},
    )
    def get(self, request: ApiRequest, year: int) -> Response:
        """The year's schedule with the parts the caller may see (own; a manager's subtree; HR all)."""
        campaign = services.campaign_of(year)
        department = _department(request.user, request.query_params.get("department"))
        parts = selectors.visible_parts(request.user, campaign, department=department)
        data = dict(CampaignSerializer(campaign).data)
        data["parts"] = PartSerializer(parts, many=True).data
        data["open_changes"] = ChangeSerializer(selectors.open_changes(parts).values(), many=True).data
        return Response(data)

    @extend_schema(
        request=CampaignInputSerializer,
        responses={201: CampaignSerializer, **ERRORS},
    )
    def post(self, request: ApiRequest, year: int) -> Response:
        """HR opens the year's schedule (the approval deadline defaults to 17 December, art. 123)."""
        data = _valid(CampaignInputSerializer, request.data)
        departments = [_department(request.user, pk, "departments") for pk in data.get("departments", [])]
        campaign = services.campaign_open(
            actor=request.user,
            year=year,
            proposal_deadline=data["proposal_deadline"],
            approval_deadline=data.get("approval_deadline"),
            departments=[d for d in departments if d is not None],
        )
        return Response(CampaignSerializer(campaign).data, status=201)


class PartCreateApi(APIView):
    @extend_schema(request=PartInputSerializer, responses={201: PartSerializer, **ERRORS})
    def post(self, request: ApiRequest, year: int) -> Response:
        """The caller proposes a part of their own leave."""
        data = _valid(PartInputSerializer, request.data)
        part = services.part_add(
            actor=request.user,
            year=year,
            start_date=data["start_date"],
            end_date=data["end_date"],
            leave_type=data.get("leave_type") or None,
        )
        return Response(PartSerializer(part).data, status=201)


class PartDetailApi(APIView):
    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: ApiRequest, year: int, part_id: int) -> Response:
        services.part_delete(actor=request.user, part_id=part_id)
        return Response(status=204)


class PartMoveApi(APIView):
    @extend_schema(request=MoveInputSerializer, responses={200: ChangeSerializer, **ERRORS})
    def post(self, request: ApiRequest, year: int, part_id: int) -> Response:
        """Move a part: at once before the approval; after it, a proposal the other side consents to."""
        data = _valid(MoveInputSerializer, request.data)
        change = services.part_move(
            actor=request.user,
            part_id=part_id,
            start_date=data["start_date"],
            end_date=data["end_date"],
            reason=data["reason"],
        )
        return Response(ChangeSerializer(change).data)


class PartCommentApi(APIView):
    @extend_schema(request=CommentInputSerializer, responses={200: PartSerializer, **ERRORS})
    def post(self, request: ApiRequest, year: int, part_id: int) -> Response:
        data = _valid(CommentInputSerializer, request.data)
        part = services.part_comment(actor=request.user, part_id=part_id, comment=data["comment"])
        return Response(PartSerializer(part).data)


FiledRequest = inline_serializer("ScheduledRequestFiled", fields={"request": serializers.IntegerField()})
Submitted = inline_serializer(
    "ScheduleSubmitted", fields={"department": serializers.IntegerField(), "submitted_at": serializers.DateTimeField()}
)


class PartRequestApi(APIView):
    @extend_schema(request=None, responses={201: FiledRequest, **ERRORS})
    def post(self, request: ApiRequest, year: int, part_id: int) -> Response:
        """The employee confirms a part of the approved schedule: a leave request prefilled from it."""
        leave_request = services.part_to_request(actor=request.user, part_id=part_id)
        return Response({"request": leave_request.pk}, status=201)


class ChangeDecideApi(APIView):
    @extend_schema(request=ConsentInputSerializer, responses={200: ChangeSerializer, **ERRORS})
    def post(self, request: ApiRequest, year: int, change_id: int) -> Response:
        data = _valid(ConsentInputSerializer, request.data)
        change = services.change_decide(actor=request.user, change_id=change_id, consent=data["consent"])
        return Response(ChangeSerializer(change).data)


class SubmitApi(APIView):
    @extend_schema(request=SubmitInputSerializer, responses={201: Submitted, **ERRORS})
    def post(self, request: ApiRequest, year: int) -> Response:
        data = _valid(SubmitInputSerializer, request.data)
        department = _department(request.user, data["department"])
        assert department is not None
        submission = services.department_submit(actor=request.user, year=year, department=department)
        return Response({"department": submission.department_id, "submitted_at": submission.submitted_at}, status=201)


class ApproveApi(APIView):
    @extend_schema(request=None, responses={200: CampaignSerializer, **ERRORS})
    def post(self, request: ApiRequest, year: int) -> Response:
        campaign = services.campaign_approve(actor=request.user, year=year)
        return Response(CampaignSerializer(campaign).data)


class UnionOpinionApi(APIView):
    @extend_schema(request=UnionOpinionInputSerializer, responses={200: CampaignSerializer, **ERRORS})
    def post(self, request: ApiRequest, year: int) -> Response:
        data = _valid(UnionOpinionInputSerializer, request.data)
        campaign = services.union_opinion_record(actor=request.user, year=year, date=data["date"], note=data["note"])
        return Response(CampaignSerializer(campaign).data)


class NoticeListApi(APIView):
    @extend_schema(responses={200: NoticeSerializer(many=True), 401: ERRORS[401]})
    def get(self, request: ApiRequest) -> Response:
        """The caller's own notices (HR's too are their own here; HR prints others' from the pages)."""
        me = access.employee_of(request.user)
        qs = notices.visible_notices(request.user).filter(employee=me) if me is not None else []
        return Response(NoticeSerializer(qs, many=True).data)


class NoticeAcknowledgeApi(APIView):
    @extend_schema(request=None, responses={200: NoticeSerializer, **ERRORS})
    def post(self, request: ApiRequest, notice_id: int) -> Response:
        notices.notice_acknowledge(
            actor=request.user,
            notice_id=notice_id,
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return Response(NoticeSerializer(notices.notice_fetch(request.user, notice_id)).data)
