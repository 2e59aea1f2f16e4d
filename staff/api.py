"""Staff API: token, me, departments, employees and their rate history (CONTRACT.md, "REST API").

Every view reads through staff.selectors / staff.access and writes through staff.services; an
employee the caller may not see is a 404 (access_employee), an action they may not take on one
they see is a 403.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hrportal.errors import NotAllowed
from staff import access
from staff.models import ApiToken, Department, Employee
from staff.selectors import (
    department_list,
    employee_list,
    employee_search_q,
    in_department_tree,
    manager_ids,
    rate_history,
    with_current_rates,
)
from staff.serializers import (
    DepartmentOutputSerializer,
    EmployeeCreateInputSerializer,
    EmployeeOutputSerializer,
    MeOutputSerializer,
    RateHistoryOutputSerializer,
    StaffErrorSerializer,
    TokenOutputSerializer,
)
from staff.services import api_token_issue, api_token_revoke, employee_create

R400 = OpenApiResponse(OpenApiTypes.OBJECT, description='Bad input: `{"field": ["message", …]}`; nothing is saved.')
R401 = OpenApiResponse(
    StaffErrorSerializer, description="Not authenticated, or the account is deactivated or the employee terminated."
)
R404 = OpenApiResponse(
    StaffErrorSerializer, description="No such employee, or one the caller may not see (the two look the same)."
)


def _output_context(request: Request, employees: list[Employee]) -> dict[str, Any]:
    return {
        "request": request,
        "managers": manager_ids(employees),
        "salary_visible": lambda employee: access.can_see_salary(request.user, employee),
        "today": timezone.localdate(),
    }


def _employee_out(request: Request, employee: Employee) -> dict[str, Any]:
    return EmployeeOutputSerializer(employee, context=_output_context(request, [employee])).data


# --- auth -------------------------------------------------------------------------------------


class ActiveAuthTokenSerializer(AuthTokenSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if not access.is_active_user(attrs["user"]):
            # Same words as for a wrong password: a terminated login is not confirmed to exist.
            raise serializers.ValidationError(_("Unable to log in with provided credentials."), code="authorization")
        return attrs


class TokenApi(APIView):
    """Sign in for the API (a new expiring token per sign-in) and revoke one's token."""

    @extend_schema(
        summary="Exchange a username and password for an API token (expires; each sign-in gets its own)",
        request=ActiveAuthTokenSerializer,
        responses={200: TokenOutputSerializer, 400: R400},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = ActiveAuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        instance, token = api_token_issue(user=serializer.validated_data["user"])
        return Response({"token": token, "expiry": instance.expiry})

    @extend_schema(
        summary="Revoke the token of this call (or, signed in by session, every token of the caller)",
        request=None,
        responses={204: None, 401: R401},
    )
    def delete(self, request: Request) -> Response:
        api_token_revoke(user=request.user, token=request.auth if isinstance(request.auth, ApiToken) else None)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_authenticators(self) -> list[Any]:
        # Signing in takes the credentials from the body: a session cookie must not make it demand a CSRF token.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self) -> list[Any]:
        return [] if self.request.method == "POST" else super().get_permissions()


# --- me ---------------------------------------------------------------------------------------


class MeApi(APIView):
    @extend_schema(
        summary="The caller: employee record, manager and roles", responses={200: MeOutputSerializer, 401: R401}
    )
    def get(self, request: Request) -> Response:
        user = request.user
        employee = access.employee_of(user)
        data = {
            "id": None,
            "username": user.get_username(),
            "full_name": user.get_full_name() or user.get_username(),
            "email": user.email,
            "department": None,
            "manager": None,
            "roles": access.roles_of(user),
        }
        if employee is not None:
            data.update(
                id=employee.pk,
                full_name=employee.full_name,
                email=employee.email,
                department=employee.department_id,
                manager=manager_ids([employee])[employee.pk],
            )
        return Response(MeOutputSerializer(data).data)


# --- departments ------------------------------------------------------------------------------


class DepartmentListApi(generics.ListAPIView):
    serializer_class = DepartmentOutputSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Department]:
        return department_list(user=self.request.user)

    @extend_schema(
        summary="Departments the caller may see",
        description="HR: all. Others: the departments of the employees they may see, and every department "
        "of the subtrees they manage.",
        responses={200: DepartmentOutputSerializer(many=True), 401: R401},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- employees --------------------------------------------------------------------------------


class EmployeeFilterSet(django_filters.FilterSet):
    # Bounded to a bigint: SQLite raises OverflowError (a 500) on a larger integer.
    department = django_filters.NumberFilter(
        field_name="department_id", min_value=1, max_value=2**63 - 1, help_text="Department id (exactly)."
    )
    department_tree = django_filters.NumberFilter(
        method="filter_department_tree",
        min_value=1,
        max_value=2**63 - 1,
        help_text="Department id: employees of it and of its sub-departments.",
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words matched against names, personnel number and email."
    )

    class Meta:
        model = Employee
        fields: list[str] = []

    def filter_department_tree(self, queryset: QuerySet[Employee], name: str, value: int) -> QuerySet[Employee]:
        return in_department_tree(queryset, int(value))

    def filter_search(self, queryset: QuerySet[Employee], name: str, value: str) -> QuerySet[Employee]:
        return queryset.filter(employee_search_q(value))


class EmployeeListCreateApi(generics.GenericAPIView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = EmployeeFilterSet
    serializer_class = EmployeeOutputSerializer

    def get_queryset(self) -> QuerySet[Employee]:
        employees = employee_list(user=self.request.user)
        # Only HR sees everyone's rate: nobody else's salaries are even read from the database
        # (an employee's own rate is then one indexed query, see selectors.current_rate).
        return with_current_rates(employees) if access.is_hr(self.request.user) else employees

    @extend_schema(
        summary="Employees the caller may see",
        description="HR sees everyone; a manager their subtree; an employee themself. `rate` is present for HR "
        "and for the employee's own record only.",
        responses={200: EmployeeOutputSerializer(many=True), 400: R400, 401: R401},
    )
    def get(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        data = EmployeeOutputSerializer(rows, many=True, context=_output_context(request, rows)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        summary="Create an employee (HR)",
        description="Creates the user, the employee and the first pay rate, effective on the hire date.",
        request=EmployeeCreateInputSerializer,
        responses={
            201: EmployeeOutputSerializer,
            400: R400,
            401: R401,
            403: OpenApiResponse(StaffErrorSerializer, description="The caller is not HR."),
        },
    )
    def post(self, request: Request) -> Response:
        if not access.is_hr(request.user):
            raise NotAllowed(_("Only HR may add employees."))
        data = EmployeeCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        employee = employee_create(
            username=values["username"],
            full_name=values["full_name"],
            email=values["email"],
            department=values["department"],
            position=values.get("position"),
            hire_date=values["hire_date"],
            fte=values["fte"],
            salary=values["salary"],
            password=values.get("password") or None,
            personnel_number=values.get("personnel_number") or None,
            language=values.get("language") or Employee.Language.RU,
            actor=request.user,
        )
        employee = access.access_employee(request.user, employee.pk)
        return Response(_employee_out(request, employee), status=status.HTTP_201_CREATED)


class EmployeeDetailApi(APIView):
    @extend_schema(
        summary="One employee",
        responses={200: EmployeeOutputSerializer, 401: R401, 404: R404},
    )
    def get(self, request: Request, pk: int) -> Response:
        employee = access.access_employee(request.user, pk)
        return Response(_employee_out(request, employee))


class EmployeeRatesApi(APIView):
    """The pay-rate history. A change of pay is a rate-change request (requests_app adds the POST here)."""

    @extend_schema(
        summary="Pay-rate history of an employee (HR and the employee themself)",
        responses={
            200: RateHistoryOutputSerializer(many=True),
            401: R401,
            403: OpenApiResponse(StaffErrorSerializer, description="The caller sees the employee but not salaries."),
            404: R404,
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        employee = access.access_employee(request.user, pk)
        if not access.can_see_salary(request.user, employee):
            raise NotAllowed(_("Salaries are visible only to HR and to the employee."))
        return Response(RateHistoryOutputSerializer(rate_history(employee), many=True).data)
