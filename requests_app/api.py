"""The requests API: one view per operation, errors from the ApplicationError family."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from hrportal.errors import NotAllowed, ValidationFailed
from hrportal.pagination import BoundedLimitOffsetPagination, KnownCountPagination
from hrportal.schema import ERROR_RESPONSES
from requests_app import policy, selectors, services
from requests_app.models import Request
from requests_app.serializers import (
    INPUT_SERIALIZERS,
    CommentSerializer,
    KindSerializer,
    RequestOutputSerializer,
)
from staff import access
from staff.api import EmployeeRatesApi
from staff.models import Employee
from staff.serializers import RateInputSerializer

ERRORS = ERROR_RESPONSES

CREATE_BODY = PolymorphicProxySerializer(
    component_name="RequestCreate",
    serializers=list(INPUT_SERIALIZERS.values()),
    resource_type_field_name="kind",
)


class FilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Request.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=Request.Kind.choices, required=False)
    employee = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)  # a bigint id


def _output(request: ApiRequest, obj: Request, status: int = 200) -> Response:
    """The request as the API shows it, read afresh. Every caller has just filed it or passed
    `policy.fetch` for it, so the read is by id alone (no visibility filter to plan again)."""
    fresh = selectors.request_shown(request_id=obj.pk)
    return Response(RequestOutputSerializer(fresh, context={"request": request}).data, status=status)


def _resolve_employee(user: Any, employee_id: int | None) -> Employee | None:
    if employee_id is None:
        return None
    employee = access.visible_employees(user).filter(pk=employee_id).first()
    if employee is None:
        raise ValidationFailed("Unknown employee, or one you may not file for.", field="employee")
    return employee


class RequestListCreateApi(APIView):
    # Documents the list as paginated (drf-spectacular reads it); `get` pages with the tallies' count when known.
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Request.Status.values),
            OpenApiParameter("kind", str, enum=Request.Kind.values),
            OpenApiParameter("employee", int),
        ],
        responses={200: RequestOutputSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request: ApiRequest) -> Response:
        filters = FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        ids = selectors.request_ids(user=request.user, filters=filters.validated_data)
        paginator = KnownCountPagination(selectors.request_total(user=request.user, filters=filters.validated_data))
        page = selectors.requests_shown(ids=paginator.paginate_queryset(ids, request, view=self))
        data = RequestOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=CREATE_BODY,
        responses={201: RequestOutputSerializer, 400: ERRORS[400], 401: ERRORS[401], 409: ERRORS[409]},
    )
    def post(self, request: ApiRequest) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationFailed("Send a JSON object.")
        kind = KindSerializer(data=request.data)
        kind.is_valid(raise_exception=True)
        serializer = INPUT_SERIALIZERS[kind.validated_data["kind"]](data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["employee"] = _resolve_employee(request.user, data.get("employee"))
        obj = services.request_create(actor=request.user, **data)  # one transaction (the service is atomic)
        return _output(request, obj, status=201)


class RequestDetailApi(APIView):
    @extend_schema(responses={200: RequestOutputSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    def get(self, request: ApiRequest, request_id: int) -> Response:
        obj = policy.fetch(request.user, request_id)
        return _output(request, obj)


class _ActionApi(APIView):
    action_name = ""

    def perform(self, *, request_id: int, actor: Any, comment: str) -> Request:
        raise NotImplementedError

    @extend_schema(
        request=CommentSerializer,
        responses={200: RequestOutputSerializer, **{k: v for k, v in ERRORS.items() if k != 400}, 400: ERRORS[400]},
    )
    def post(self, request: ApiRequest, request_id: int) -> Response:
        policy.fetch(request.user, request_id)  # 404 before anything else
        body = CommentSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        obj = self.perform(request_id=int(request_id), actor=request.user, comment=body.validated_data["comment"])
        return _output(request, obj)


class RequestApproveApi(_ActionApi):
    def perform(self, *, request_id: int, actor: Any, comment: str) -> Request:
        return services.request_approve(request_id=request_id, actor=actor, comment=comment)


class RequestRejectApi(_ActionApi):
    def perform(self, *, request_id: int, actor: Any, comment: str) -> Request:
        return services.request_reject(request_id=request_id, actor=actor, comment=comment)


class RequestCancelApi(_ActionApi):
    def perform(self, *, request_id: int, actor: Any, comment: str) -> Request:
        return services.request_cancel(request_id=request_id, actor=actor, comment=comment)


class RequestDeclineCancellationApi(_ActionApi):
    """Decline the cancellation the employee asked for: the request stays approved (its decider, or HR)."""

    def perform(self, *, request_id: int, actor: Any, comment: str) -> Request:
        return services.request_decline_cancellation(request_id=request_id, actor=actor, comment=comment)


class RateCorrectionInputSerializer(RateInputSerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    below_minimum_wage_confirmed = serializers.BooleanField(required=False, default=False)
    below_minimum_wage_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EmployeeRatesCorrectionApi(EmployeeRatesApi):
    @extend_schema(
        summary="Correct an employee's pay rate (HR; another HR member approves)",
        description="Files a `rate_change` request whose only step is HR: the change applies when a second HR "
        "member approves it (four eyes on pay). Any effective date on or after the hire date; a `reason` is "
        "required. Nobody changes their own pay.",
        request=RateCorrectionInputSerializer,
        responses={202: RequestOutputSerializer, **ERRORS},
    )
    def post(self, request: ApiRequest, pk: int) -> Response:
        employee = access.access_employee(request.user, pk)
        if not access.is_hr(request.user):
            raise NotAllowed("Only HR corrects recorded rates; managers propose a change with a rate-change request.")
        body = RateCorrectionInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not access.can_change_rate(request.user, employee):
            raise ValidationFailed("You may not propose a rate change for this employee.", field="employee")
        obj = services.request_create(
            actor=request.user,
            kind=Request.Kind.RATE_CHANGE,
            employee=employee,
            effective_date=data["effective_date"],
            fte=data["fte"],
            salary=data["salary"],
            comment=(data["reason"] or data["comment"]).strip(),
            correction=True,
            below_minimum_wage_confirmed=data["below_minimum_wage_confirmed"],
            below_minimum_wage_reason=data["below_minimum_wage_reason"],
        )
        return _output(request, obj, status=202)
