"""The caller as authentication loads them: the employee record in the same query, the roles in one more
round trip when a rule first asks, memoised for the request — and the same answers as the plain rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from staff import access
from staff.models import Delegation

pytestmark = pytest.mark.django_db


def _loaded(employee_or_user):
    user = getattr(employee_or_user, "user", employee_or_user)
    loaded = access.principal_users().get(pk=user.pk)
    access.remember_principal(loaded)
    return loaded


def test_an_employee_costs_one_query_for_every_role_question(cast, django_assert_num_queries) -> None:
    user = _loaded(cast.employee)
    with django_assert_num_queries(0):
        assert access.employee_of(user).pk == cast.employee.pk
        assert access.is_active_user(user)
    with django_assert_num_queries(1):
        assert not access.is_hr(user)
        assert not access.is_manager(user)
        assert access.managed_paths(user) == []
        assert not access.manages_anyone(user)
        assert access.roles_of(user) == ["employee"]


def test_roles_of_heads_hr_deputies_and_override_managers(cast) -> None:
    manager = _loaded(cast.manager)
    assert access.is_manager(manager) and access.manages_anyone(manager)
    assert access.managed_paths(manager) == [cast.sales.path]
    assert access.is_hr(_loaded(cast.hr))

    today = timezone.localdate()
    Delegation.objects.create(
        manager=cast.manager, deputy=cast.outsider, start_date=today - dt.timedelta(days=1), end_date=today
    )
    deputy = _loaded(cast.outsider)
    assert not access.is_manager(deputy)
    assert access.managed_paths(deputy) == [cast.sales.path]
    assert access.manages_anyone(deputy)

    Delegation.objects.all().delete()
    cast.sub_employee.manager_override = cast.outsider
    cast.sub_employee.save()
    override = _loaded(cast.outsider)
    assert access.managed_paths(override) == []
    assert access.manages_anyone(override)  # decides for sub_employee by override


def test_a_superuser_without_an_employee_record_is_hr(db) -> None:
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    loaded = _loaded(admin)
    assert access.employee_of(loaded) is None
    assert access.is_hr(loaded)
    assert access.is_active_user(loaded)


def test_the_memo_lives_on_the_user_behind_a_lazy_wrapper(cast, django_assert_num_queries) -> None:
    user = _loaded(cast.manager)
    lazy = SimpleLazyObject(lambda: user)
    with django_assert_num_queries(1):
        assert not access.is_hr(lazy)
        assert not access.is_hr(user)  # the same memo
    access.forget(lazy)
    with django_assert_num_queries(2):  # forgotten: the employee record and the roles again
        assert not access.is_hr(user)


def test_requests_load_the_caller_once(cast, django_assert_max_num_queries) -> None:
    """A session page and a token call each load the user with the employee in one query."""
    client = Client()
    client.force_login(cast.employee.user)
    client.get("/healthz")  # the first request after login re-saves the session (its idle timeout)
    with django_assert_max_num_queries(2):  # the session row, the user with the employee
        assert client.get("/healthz").status_code == 200
    from staff.services import api_token_issue

    _row, key = api_token_issue(user=cast.employee.user)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    # /me: the token with the user and the employee (one query), knox's sweep of the owner's expired tokens,
    # the roles, the manager chain.
    with django_assert_max_num_queries(4) as queries:
        assert api.get("/api/v1/me/").status_code == 200
    first = queries.captured_queries[0]["sql"]
    assert "staff_apitoken" in first and "staff_employee" in first
