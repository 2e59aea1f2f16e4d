"""`salary_viewers` answers `can_see_salary` for many employees in one query, and the two agree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Cast, make_employee
from staff import access
from staff.models import HR_GROUP, Employee

pytestmark = pytest.mark.django_db


def _people(cast: Cast) -> list[Employee]:
    hr_group = Group.objects.get(name=HR_GROUP)
    second_hr = make_employee(username="hr2", department=cast.hr_department)
    second_hr.user.groups.add(hr_group)
    former_hr = make_employee(username="hr_inactive", department=cast.hr_department)
    former_hr.user.groups.add(hr_group)
    former_hr.user.is_active = False
    former_hr.user.save()
    admin = make_employee(username="admin_employee", department=cast.company)
    admin.user.is_superuser = True
    admin.user.save()
    leaver = make_employee(username="leaver", department=cast.sales)
    leaver.termination_date = timezone.localdate() - dt.timedelta(days=1)
    leaver.save()
    return [cast.employee, cast.manager, cast.ceo, cast.outsider, cast.hr, second_hr, former_hr, admin, leaver]


def test_it_agrees_with_can_see_salary_for_every_pair(cast: Cast) -> None:
    people = _people(cast)
    for target in people:
        fresh = Employee.objects.select_related("user").filter(pk__in=[p.pk for p in people])
        expected = {p.pk for p in fresh if access.can_see_salary(p.user, target)}
        assert access.salary_viewers(people, target) == expected, target
    # The cases it is about: HR and a superuser see anyone's pay, an employee their own until they leave.
    leaver = people[-1]
    assert access.salary_viewers(people, cast.employee) == {cast.employee.pk, cast.hr.pk, people[5].pk, people[7].pk}
    assert leaver.pk not in access.salary_viewers(people, leaver)


def test_one_query_however_many_employees(cast: Cast) -> None:
    people = _people(cast)
    with CaptureQueriesContext(connection) as queries:
        access.salary_viewers(people, cast.employee)
    assert len(queries.captured_queries) == 1
