"""The staff API per CONTRACT.md: happy paths and refusals for every role of the cast.

Past 400 lines: one file per API, with the cast's every role for each endpoint.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD, make_employee
from staff.models import Employee, PayRate
from staff.services import pay_rate_record

pytestmark = pytest.mark.django_db

EMPLOYEE_KEYS = {"id", "username", "full_name", "email", "department", "position", "manager", "hire_date"}


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def ids(rows: list[dict[str, Any]]) -> set[int]:
    return {row["id"] for row in rows}


# --- token ------------------------------------------------------------------------------------


def test_token_is_issued_for_good_credentials_and_works(cast):
    client = APIClient()
    response = client.post(reverse("api-token"), {"username": "employee", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get(reverse("api-me"))
    assert me.status_code == 200
    assert me.json()["username"] == "employee"


@pytest.mark.parametrize("password", ["wrong", ""])
def test_token_refused_for_bad_credentials(cast, password):
    response = APIClient().post(reverse("api-token"), {"username": "employee", "password": password}, format="json")
    assert response.status_code == 400


def test_token_refused_for_deactivated_and_terminated(cast):
    terminated = cast.outsider
    terminated.termination_date = dt.date(2024, 1, 31)
    terminated.save()
    for username in ("deactivated", "outsider"):
        response = APIClient().post(reverse("api-token"), {"username": username, "password": PASSWORD}, format="json")
        assert response.status_code == 400, username
        assert "token" not in response.json()


def test_token_of_a_deactivated_user_is_refused_with_401(cast):
    client = APIClient()
    token = client.post(reverse("api-token"), {"username": "employee", "password": PASSWORD}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get(reverse("api-me")).status_code == 200
    User.objects.filter(username="employee").update(is_active=False)
    assert client.get(reverse("api-me")).status_code == 401
    assert client.get(reverse("api-employee-list")).status_code == 401


def test_token_of_a_terminated_employee_is_refused_with_401(cast):
    """Needs REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES to use staff.authentication."""
    client = APIClient()
    token = client.post(reverse("api-token"), {"username": "employee", "password": PASSWORD}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    Employee.objects.filter(pk=cast.employee.pk).update(termination_date=dt.date(2024, 1, 31))
    response = client.get(reverse("api-me"))
    assert response.status_code == 401
    assert client.get(reverse("api-employee-detail", args=[cast.employee.pk])).status_code == 401


def test_settings_use_the_expiring_token_authentication(settings):
    classes = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert classes[0] == "staff.authentication.ExpiringTokenAuthentication"  # first: its header makes 401s
    assert "rest_framework.authentication.TokenAuthentication" not in classes
    assert "knox.auth.TokenAuthentication" not in classes


# --- me ---------------------------------------------------------------------------------------


def test_me_for_employee(cast, api):
    body = api(cast.employee).get(reverse("api-me")).json()
    assert body == {
        "id": cast.employee.pk,
        "username": "employee",
        "full_name": "Кузнецов Алексей Павлович",
        "email": "employee@example.test",
        "department": cast.sales.pk,
        "manager": cast.manager.pk,
        "roles": ["employee"],
    }


@pytest.mark.parametrize(
    ("role", "manager_role", "roles"),
    [
        ("manager", "ceo", ["employee", "manager"]),
        ("sub_manager", "manager", ["employee", "manager"]),
        ("hr", "ceo", ["employee", "manager", "hr"]),
        ("ceo", None, ["employee", "manager"]),
        ("outsider", "other_manager", ["employee"]),
    ],
)
def test_me_roles_and_manager(cast, api, role, manager_role, roles):
    body = api(cast.by_role(role)).get(reverse("api-me")).json()
    assert body["roles"] == roles
    assert body["manager"] == (cast.by_role(manager_role).pk if manager_role else None)


def test_me_for_a_superuser_without_employee_record(cast, api):
    root = User.objects.create_superuser("root", "root@example.test", PASSWORD)
    body = api(root).get(reverse("api-me")).json()
    assert body["id"] is None and body["department"] is None and body["roles"] == ["hr"]


def test_me_anonymous_is_401():
    assert APIClient().get(reverse("api-me")).status_code == 401


# --- departments ------------------------------------------------------------------------------


def test_departments_hr_sees_all(cast, api):
    rows = results(api(cast.hr).get(reverse("api-department-list")))
    assert len(rows) == 5
    sales = next(r for r in rows if r["id"] == cast.sales.pk)
    assert sales == {"id": cast.sales.pk, "name": "Продажи", "parent": cast.company.pk, "head": cast.manager.pk}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("employee", {"sales"}),
        ("manager", {"sales", "sales_east"}),
        ("sub_manager", {"sales_east"}),
        ("outsider", {"engineering"}),
        ("other_manager", {"engineering"}),
    ],
)
def test_departments_scoped(cast, api, role, expected):
    rows = results(api(cast.by_role(role)).get(reverse("api-department-list")))
    assert ids(rows) == {getattr(cast, name).pk for name in expected}


def test_departments_anonymous_401():
    assert APIClient().get(reverse("api-department-list")).status_code == 401


# --- employee list and detail -------------------------------------------------------------------


def test_list_as_employee_is_only_themself_with_own_rate(cast, api):
    rows = results(api(cast.employee).get(reverse("api-employee-list")))
    assert ids(rows) == {cast.employee.pk}
    row = rows[0]
    assert set(row) >= EMPLOYEE_KEYS
    assert row["rate"] == {"fte": "1.00", "salary": "100000.00", "effective_date": "2023-01-09"}
    assert row["manager"] == cast.manager.pk


def test_list_as_manager_is_subtree_and_no_salaries_but_own(cast, api):
    rows = results(api(cast.manager).get(reverse("api-employee-list")))
    expected = {cast.manager, cast.employee, cast.sub_manager, cast.sub_employee, cast.deactivated}
    assert ids(rows) == {e.pk for e in expected}
    for row in rows:
        assert ("rate" in row) == (row["id"] == cast.manager.pk), row
    managers = {row["id"]: row["manager"] for row in rows}
    assert managers[cast.employee.pk] == cast.manager.pk
    assert managers[cast.sub_manager.pk] == cast.manager.pk
    assert managers[cast.sub_employee.pk] == cast.sub_manager.pk
    assert managers[cast.manager.pk] == cast.ceo.pk


def test_list_as_outsider_is_only_themself(cast, api):
    rows = results(api(cast.outsider).get(reverse("api-employee-list")))
    assert ids(rows) == {cast.outsider.pk}


def test_list_as_hr_is_everyone_with_rates(cast, api):
    rows = results(api(cast.hr).get(reverse("api-employee-list")))
    assert len(rows) == Employee.objects.count() == 9
    assert all(row["rate"]["salary"] == "100000.00" for row in rows)
    assert {row["id"]: row["manager"] for row in rows}[cast.ceo.pk] is None


def test_list_anonymous_and_deactivated_401(cast, api):
    assert APIClient().get(reverse("api-employee-list")).status_code == 401
    client = APIClient()
    client.force_login(cast.deactivated.user)  # an open session: refused since the user is inactive
    assert client.get(reverse("api-employee-list")).status_code == 401


def test_list_filters_department_tree_and_search(cast, api):
    client = api(cast.hr)
    url = reverse("api-employee-list")
    by_department = results(client.get(url, {"department": cast.sales_east.pk}))
    assert ids(by_department) == {cast.sub_manager.pk, cast.sub_employee.pk}
    by_tree = results(client.get(url, {"department_tree": cast.sales.pk}))
    assert ids(by_tree) == {e.pk for e in (cast.manager, cast.employee, cast.sub_manager, cast.sub_employee)} | {
        cast.deactivated.pk
    }
    # Lower-case Cyrillic finds "Кузнецов" on SQLite too; words are ANDed.
    assert ids(results(client.get(url, {"search": "кузнецов"}))) == {cast.employee.pk}
    assert ids(results(client.get(url, {"search": "кузнецов алексей"}))) == {cast.employee.pk}
    assert ids(results(client.get(url, {"search": "outsider"}))) == {cast.outsider.pk}
    assert results(client.get(url, {"search": "кузнецов дмитрий"})) == []
    assert client.get(url, {"department": "abc"}).status_code == 400


def test_list_filter_does_not_widen_scope(cast, api):
    rows = results(api(cast.employee).get(reverse("api-employee-list"), {"department": cast.engineering.pk}))
    assert rows == []


def test_list_is_paginated(cast, api):
    body = api(cast.hr).get(reverse("api-employee-list"), {"limit": 3}).json()
    assert body["count"] == 9 and len(body["results"]) == 3 and body["next"]


@pytest.mark.parametrize(
    ("viewer", "target", "status", "with_rate"),
    [
        ("employee", "employee", 200, True),
        ("manager", "employee", 200, False),
        ("sub_manager", "sub_employee", 200, False),
        ("hr", "employee", 200, True),
        ("hr", "ceo", 200, True),
        ("outsider", "employee", 404, None),
        ("other_manager", "employee", 404, None),
        ("employee", "manager", 404, None),
        ("sub_manager", "employee", 404, None),
        ("manager", "outsider", 404, None),
    ],
)
def test_detail_scoping_and_salary_visibility(cast, api, viewer, target, status, with_rate):
    response = api(cast.by_role(viewer)).get(reverse("api-employee-detail", args=[cast.by_role(target).pk]))
    assert response.status_code == status
    if status == 200:
        assert ("rate" in response.json()) is with_rate
    else:
        assert response.json() == {"detail": "Employee not found."}


def test_detail_missing_is_404_like_invisible(cast, api):
    assert api(cast.hr).get(reverse("api-employee-detail", args=[999999])).status_code == 404


def test_detail_rate_is_the_one_in_force_today(cast, api):
    pay_rate_record(
        employee=cast.employee, effective_date=dt.date(2024, 3, 1), fte=Decimal("0.5"), salary=Decimal("60000")
    )
    pay_rate_record(  # scheduled far ahead: not in force yet
        employee=cast.employee, effective_date=dt.date(2999, 1, 1), fte=Decimal("1"), salary=Decimal("999999")
    )
    body = api(cast.employee).get(reverse("api-employee-detail", args=[cast.employee.pk])).json()
    assert body["rate"] == {"fte": "0.50", "salary": "60000.00", "effective_date": "2024-03-01"}


# --- rates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "target", "status"),
    [
        ("employee", "employee", 200),
        ("hr", "employee", 200),
        ("manager", "employee", 403),  # sees the employee, not the salary
        ("sub_manager", "sub_employee", 403),
        ("other_manager", "employee", 404),
        ("outsider", "employee", 404),
        ("manager", "outsider", 404),  # outside the subtree: not even its existence
        ("employee", "manager", 404),
    ],
)
def test_rate_history_access(cast, api, viewer, target, status):
    response = api(cast.by_role(viewer)).get(reverse("api-employee-rates", args=[cast.by_role(target).pk]))
    assert response.status_code == status
    if status == 200:
        assert [r["salary"] for r in response.json()] == ["100000.00"]


def test_rate_history_lists_current_rows_in_date_order(cast, api):
    pay_rate_record(employee=cast.employee, effective_date=dt.date(2024, 1, 1), fte=Decimal("1"), salary=Decimal("1"))
    pay_rate_record(  # a correction of the same date supersedes the row above
        employee=cast.employee, effective_date=dt.date(2024, 1, 1), fte=Decimal("1"), salary=Decimal("110000")
    )
    rows = api(cast.employee).get(reverse("api-employee-rates", args=[cast.employee.pk])).json()
    assert [(r["effective_date"], r["salary"]) for r in rows] == [
        ("2023-01-09", "100000.00"),
        ("2024-01-01", "110000.00"),
    ]


def test_hr_files_a_rate_correction_including_past_dates(cast, api):
    """A direct rate write is a correction another HR member confirms (requests_app/tests/test_four_eyes.py)."""
    url = reverse("api-employee-rates", args=[cast.employee.pk])
    before = PayRate.objects.count()
    response = api(cast.hr).post(
        url, {"effective_date": "2023-06-01", "fte": "0.75", "salary": "90000.00", "comment": "loading history"}
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending" and response.json()["stage"] == "hr"
    assert response.json()["comment"] == "loading history"
    assert PayRate.objects.count() == before


@pytest.mark.parametrize(
    ("actor", "target", "status"),
    [
        ("manager", "employee", 403),  # sees them: must propose through a rate-change request
        ("manager", "outsider", 404),  # outside the subtree
        ("other_manager", "employee", 404),
        ("employee", "employee", 403),
        ("outsider", "employee", 404),
    ],
)
def test_others_cannot_record_rates(cast, api, actor, target, status):
    before = PayRate.objects.count()
    response = api(cast.by_role(actor)).post(
        reverse("api-employee-rates", args=[cast.by_role(target).pk]),
        {"effective_date": "2030-01-01", "fte": "1.00", "salary": "30000.00"},
    )
    assert response.status_code == status
    assert PayRate.objects.count() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"effective_date": "2023-01-01", "fte": "1", "salary": "1"}, "effective_date"),  # before the hire date
        ({"effective_date": "2024-02-30", "fte": "1", "salary": "1"}, "effective_date"),
        ({"effective_date": "2024-01-01", "fte": "2", "salary": "1"}, "fte"),
        ({"effective_date": "2024-01-01", "fte": "1", "salary": "-1"}, "salary"),
    ],
)
def test_bad_rates_are_400(cast, api, payload, field):
    before = PayRate.objects.count()
    response = api(cast.hr).post(reverse("api-employee-rates", args=[cast.employee.pk]), payload)
    assert response.status_code == 400
    assert field in response.json()
    assert PayRate.objects.count() == before


# --- create -----------------------------------------------------------------------------------

NEW = {
    "username": "novikova",
    "full_name": "Новикова Ольга Игоревна",
    "email": "novikova@example.test",
    "hire_date": "2025-02-03",
    "fte": "0.50",
    "salary": "85000.00",
}


def test_hr_creates_an_employee(cast, api):
    payload = {**NEW, "department": cast.sales_east.pk, "password": "Str0ng-pass-phrase"}
    response = api(cast.hr).post(reverse("api-employee-list"), payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "novikova" and body["full_name"] == "Новикова Ольга Игоревна"
    assert body["department"] == cast.sales_east.pk and body["manager"] == cast.sub_manager.pk
    assert body["rate"] == {"fte": "0.50", "salary": "85000.00", "effective_date": "2025-02-03"}
    employee = Employee.objects.get(pk=body["id"])
    assert employee.patronymic == "Игоревна"
    assert employee.user.check_password("Str0ng-pass-phrase")
    assert employee.history.latest().history_user == cast.hr.user
    token = APIClient().post(reverse("api-token"), {"username": "novikova", "password": "Str0ng-pass-phrase"})
    assert token.status_code == 200


@pytest.mark.parametrize("role", ["employee", "manager", "outsider", "ceo"])
def test_non_hr_cannot_create(cast, api, role):
    response = api(cast.by_role(role)).post(reverse("api-employee-list"), {**NEW, "department": cast.sales.pk})
    assert response.status_code == 403
    assert not User.objects.filter(username="novikova").exists()


def test_anonymous_cannot_create(cast):
    response = APIClient().post(reverse("api-employee-list"), {**NEW, "department": cast.sales.pk}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"department": 999999}, "department"),
        ({"fte": "0"}, "fte"),
        ({"fte": "1.75"}, "fte"),
        ({"fte": "abc"}, "fte"),
        ({"salary": "-5"}, "salary"),
        ({"salary": "1234567890123"}, "salary"),
        ({"username": "employee"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"hire_date": "2025-13-01"}, "hire_date"),
        ({"hire_date": "1901-01-01"}, "hire_date"),
        ({"full_name": "Одинслово"}, "full_name"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "123"}, "password"),
        ({"position": 999999}, "position"),
    ],
)
def test_bad_input_is_400_with_the_field_and_nothing_saved(cast, api, change, field):
    users, employees, rates = User.objects.count(), Employee.objects.count(), PayRate.objects.count()
    payload = {**NEW, "department": cast.sales.pk, **change}
    response = api(cast.hr).post(reverse("api-employee-list"), payload)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (User.objects.count(), Employee.objects.count(), PayRate.objects.count()) == (users, employees, rates)


def test_missing_fields_are_reported_together(cast, api):
    response = api(cast.hr).post(reverse("api-employee-list"), {})
    assert response.status_code == 400
    assert {"username", "full_name", "email", "department", "hire_date", "fte", "salary"} <= set(response.json())


def test_duplicate_personnel_number_is_400(cast, api):
    payload = {**NEW, "department": cast.sales.pk, "personnel_number": cast.employee.personnel_number}
    response = api(cast.hr).post(reverse("api-employee-list"), payload)
    assert response.status_code == 400
    assert "personnel_number" in response.json()
    assert not User.objects.filter(username="novikova").exists()


# --- bounded queries --------------------------------------------------------------------------


def test_employee_list_makes_a_bounded_number_of_queries(cast, api, django_assert_max_num_queries):
    for number in range(100):
        person = make_employee(username=f"bulk{number}", department=cast.sales_east, last_name=f"Сидоров{number}")
        pay_rate_record(employee=person, effective_date=dt.date(2024, 1, 1), fte=Decimal("1"), salary=Decimal("1"))
    client = api(cast.hr)
    with django_assert_max_num_queries(10):
        rows = results(client.get(reverse("api-employee-list"), {"limit": 200}))
    assert len(rows) == 109
    client = api(cast.manager)
    with django_assert_max_num_queries(10):
        rows = results(client.get(reverse("api-employee-list"), {"limit": 200}))
    assert len(rows) == 105
