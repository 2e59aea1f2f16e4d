"""Leave API: balances, quotes and the production calendar (CONTRACT.md).

One view per operation: input serializer → access helper (404 for an employee the caller may not
see) → selector → output serializer.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hrportal.dates import EARLIEST, LATEST, check_absence, check_date
from hrportal.errors import NotAllowed, NotFound, ValidationFailed
from leave import calc, selectors
from leave.serializers import (
    BalanceOutputSerializer,
    BalanceQuerySerializer,
    CalendarYearSerializer,
    LeaveErrorSerializer,
    QuoteInputSerializer,
    QuoteOutputSerializer,
    SettlementOutputSerializer,
    SettlementQuerySerializer,
)
from staff import access
from staff.models import Employee

MIN_YEAR, MAX_YEAR = EARLIEST.year, LATEST.year

R400 = OpenApiResponse(OpenApiTypes.OBJECT, description='Bad input: `{"field": ["message", …]}`.')
R401 = OpenApiResponse(LeaveErrorSerializer, description="Not authenticated, or the account is not active.")
R403 = OpenApiResponse(LeaveErrorSerializer, description="A session request without a valid CSRF token.")
R404_EMPLOYEE = OpenApiResponse(
    LeaveErrorSerializer, description="No such employee, or one the caller may not see (the two look the same)."
)


def _employee(request: Request, employee_id: int | None) -> Employee:
    """The employee asked about: the caller by default; anyone else only if the caller may see them."""
    if employee_id is None:
        me = access.employee_of(request.user)
        if me is None:
            raise ValidationFailed(_("Give the employee."), field="employee")
        return me
    return access.access_employee(request.user, employee_id)


class BalanceApi(APIView):
    @extend_schema(
        operation_id="leave_balance",
        summary="Leave balances of an employee on a date",
        parameters=[
            OpenApiParameter("employee", int, description="Employee id (default: the caller)."),
            OpenApiParameter("on", OpenApiTypes.DATE, description="Date (default: today)."),
        ],
        responses={200: BalanceOutputSerializer, 400: R400, 401: R401, 404: R404_EMPLOYEE},
    )
    def get(self, request: Request) -> Response:
        query = BalanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        employee = _employee(request, query.validated_data.get("employee"))
        on = check_date(query.validated_data.get("on") or timezone.localdate(), field="on")
        data = {"employee": employee.pk, "on": on, "balances": selectors.balances(employee=employee, on=on)}
        return Response(BalanceOutputSerializer(data).data)


class QuoteApi(APIView):
    @extend_schema(
        operation_id="leave_quote",
        summary="What a leave would charge and pay",
        description=(
            "Days charged (art. 120), vacation pay by average earnings (Regulation 922) with its month-by-month "
            "`breakdown` (each month: `source` payroll or salary, the payments counted or not and why, excluded "
            "days, days counted, the minimum-wage floor if applied, the indexation factor) and `average_earnings` "
            "(quarterly and annual bonuses, indexation after the period, the item-18 floor, the leave's days by "
            "daily rate, the months without payroll data), the balance left, and `warnings` (art. 122, 125, "
            "balance). Earnings are shown only to the employee themself and HR; for anyone else they are null, "
            "the breakdown is empty and `average_earnings` null. See docs/api-average-earnings.md."
        ),
        request=QuoteInputSerializer,
        responses={200: QuoteOutputSerializer, 400: R400, 401: R401, 403: R403, 404: R404_EMPLOYEE},
    )
    def post(self, request: Request) -> Response:
        payload = QuoteInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        employee = _employee(request, data.get("employee"))
        check_absence(data["start_date"], data["end_date"])
        result = selectors.quote(
            employee=employee,
            leave_type=data["leave_type"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            include_pay=access.can_see_salary(request.user, employee),
        )
        return Response(QuoteOutputSerializer(result).data)


class SettlementApi(APIView):
    @extend_schema(
        operation_id="leave_settlement",
        summary="Leave settled on a dismissal (HR)",
        description=(
            "For a dismissal on `on` (the last day of work) on `ground`: the unused days of every working year "
            "(art. 127); for the current one the full leave after 11 months of service in it, or after 5½ months "
            "on the grounds rule 28 lists, else 28/12 a month counted by rule 35, rounded up; days used in advance "
            "and what art. 137 lets be deducted; the compensation at average daily earnings (Regulation 922). "
            "A 400 names the rule: a date before the hire (art. 84.1) or an unknown ground. HR only."
        ),
        parameters=[
            OpenApiParameter("employee", int, required=True),
            OpenApiParameter("on", OpenApiTypes.DATE, required=True, description="The dismissal date."),
            OpenApiParameter(
                "ground",
                str,
                required=True,
                enum=list(calc.working_year.GROUNDS),
                description="The ground of dismissal (Labour Code article in `ground_article`).",
            ),
        ],
        responses={
            200: SettlementOutputSerializer,
            400: R400,
            401: R401,
            403: OpenApiResponse(LeaveErrorSerializer, description="The caller is not HR."),
            404: R404_EMPLOYEE,
        },
    )
    def get(self, request: Request) -> Response:
        if not access.is_hr(request.user):
            raise NotAllowed(_("Only HR settles leave on dismissal."))
        query = SettlementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        employee = access.access_employee(request.user, data["employee"])
        result = selectors.settlement(employee=employee, on=data["on"], ground=data["ground"])
        return Response(SettlementOutputSerializer(result).data)


class CalendarYearApi(APIView):
    @extend_schema(
        operation_id="calendar_year",
        summary="The production calendar of a year",
        description=(
            "Working days and the 40-hour week's hour norm per month, and every date that differs from a plain "
            "Monday–Friday week."
        ),
        responses={
            200: CalendarYearSerializer,
            401: R401,
            404: OpenApiResponse(LeaveErrorSerializer, description=f"A year outside {MIN_YEAR}–{MAX_YEAR}."),
        },
    )
    def get(self, request: Request, year: int) -> Response:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise NotFound(_("No production calendar for this year."))
        data: Any = selectors.calendar_year(year=year)
        return Response(CalendarYearSerializer(data).data)
