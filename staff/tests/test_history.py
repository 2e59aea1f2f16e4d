"""Audit: who changed what, old and new values — through the admin and through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from staff.models import HR_GROUP, Employee, PayRate
from staff.services import employee_update, hr_role_set, pay_rate_record
from staff.tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


def changes(record):
    """{field: (old, new)} between a historical record and the one before it."""
    previous = record.prev_record
    assert previous is not None
    return {c.field: (c.old, c.new) for c in record.diff_against(previous).changes}


# --- through the admin ----------------------------------------------------------------------------


def test_admin_change_of_an_employee_records_actor_old_and_new(cast, hr_admin, login):
    client = login(hr_admin)
    url = reverse("admin:staff_employee_change", args=[cast.employee.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = admin_form_data(page)
    data["last_name"] = "Кузнецов-Петров"
    data["department"] = str(cast.sales_east.pk)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    record = Employee.history.filter(id=cast.employee.pk).latest()
    assert record.history_user == hr_admin.user
    assert record.history_type == "~"
    diff = changes(record)
    assert diff["last_name"] == ("Кузнецов", "Кузнецов-Петров")
    assert diff["department"] == (cast.sales.pk, cast.sales_east.pk)
    # and it shows on the admin history page
    history = client.get(reverse("admin:staff_employee_history", args=[cast.employee.pk]))
    assert "Кузнецов-Петров" in history.content.decode()


def test_the_admin_shows_rates_read_only_and_sends_a_pay_change_to_the_workflow(cast, hr_admin, login):
    """Four eyes on pay (docs/decisions/four-eyes-on-pay.md): the employee page has the rate history, no input
    for a rate, and a link to the portal's rate-change page, where another person approves the change."""
    client = login(hr_admin)
    url = reverse("admin:staff_employee_change", args=[cast.employee.pk])
    page = client.get(url)
    html = page.content.decode()
    assert [type(f.opts).__name__ for f in page.context["inline_admin_formsets"]] == ["PayRateHistoryInline"]
    assert 'name="rates-0-salary"' not in html and "-0-salary" not in html
    assert f'href="{reverse("rate-change-new")}?employee={cast.employee.pk}"' in html
    response = client.post(url, admin_form_data(page))
    assert response.status_code == 302
    assert PayRate.objects.filter(employee=cast.employee).count() == 1


def test_admin_group_change_records_actor_and_membership(cast, login):
    root = User.objects.create_superuser("root", "root@example.test", "x")
    hr_group = Group.objects.get(name=HR_GROUP)
    client = login(root)
    user = cast.outsider.user
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = admin_form_data(client.get(url))
    data["groups"] = [str(hr_group.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = User.history.filter(id=user.pk).latest()
    assert record.history_user == root
    assert [m.group_id for m in record.groups.all()] == [hr_group.pk]
    previous_groups = {m.group_id for m in User.history.filter(id=user.pk).earliest().groups.all()}
    assert previous_groups == set()


def test_reverting_a_rate_from_its_history_page_is_refused(cast, hr_admin, login):
    rate = PayRate.objects.get(employee=cast.employee)
    version = rate.history.earliest()
    client = login(hr_admin)
    url = reverse("admin:staff_payrate_simple_history", args=[rate.pk, version.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403


# --- through the services ---------------------------------------------------------------------


def test_employee_update_records_actor_old_and_new(cast):
    employee_update(
        employee=cast.employee,
        actor=cast.hr.user,
        changes={"termination_date": dt.date(2030, 6, 30), "weekly_hours": 36},
    )
    record = Employee.history.filter(id=cast.employee.pk).latest()
    assert record.history_user == cast.hr.user
    assert changes(record) == {
        "termination_date": (None, dt.date(2030, 6, 30)),
        "weekly_hours": (None, Decimal("36.0")),
    }
    assert record.history_change_reason == "updated: termination_date, weekly_hours"


def test_employee_update_without_changes_writes_nothing(cast):
    before = Employee.history.filter(id=cast.employee.pk).count()
    employee_update(employee=cast.employee, actor=cast.hr.user, changes={"last_name": "Кузнецов"})
    assert Employee.history.filter(id=cast.employee.pk).count() == before


def test_pay_rate_record_records_actor_and_supersession(cast):
    pay_rate_record(
        employee=cast.employee,
        effective_date=dt.date(2023, 1, 9),
        fte=Decimal("1"),
        salary=Decimal("101000"),
        actor=cast.hr.user,
        comment="fix",
    )
    new = PayRate.objects.get(employee=cast.employee, superseded_at__isnull=True)
    assert new.history.latest().history_user == cast.hr.user
    assert new.history.latest().history_change_reason == "fix"
    old = PayRate.objects.get(employee=cast.employee, superseded_at__isnull=False)
    record = old.history.latest()
    assert record.history_user == cast.hr.user
    assert record.history_change_reason == "superseded: fix"
    assert changes(record)["superseded_at"] == (None, old.superseded_at)


def test_hr_role_set_records_the_group_change_and_actor(cast):
    user = cast.outsider.user
    hr_role_set(user=user, is_hr=True, actor=cast.hr.user)
    record = User.history.filter(id=user.pk).latest()
    assert record.history_user == cast.hr.user
    assert [m.group.name for m in record.groups.all()] == [HR_GROUP]
    hr_role_set(user=user, is_hr=False, actor=cast.hr.user)
    assert list(User.history.filter(id=user.pk).latest().groups.all()) == []
    count = User.history.filter(id=user.pk).count()
    hr_role_set(user=user, is_hr=False, actor=cast.hr.user)  # no change, no record
    assert User.history.filter(id=user.pk).count() == count
