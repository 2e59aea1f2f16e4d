"""The admin as HR uses it, and as nobody else may."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from staff.models import Department, Employee, PayRate, TimesheetEntry

pytestmark = pytest.mark.django_db


def changelist_ids(response):
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def staff_manager(cast):
    """A manager who is a staff user with every staff permission, but not HR."""
    user = cast.manager.user
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="staff"))
    return cast.manager


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:staff_employee_changelist",
        "admin:staff_department_changelist",
        "admin:staff_payrate_changelist",
        "admin:staff_timesheetentry_changelist",
        "admin:staff_delegation_changelist",
        "admin:staff_position_changelist",
    ],
)
def test_non_hr_staff_user_sees_nothing(staff_manager, login, url_name):
    assert login(staff_manager).get(reverse(url_name)).status_code == 403


def test_non_hr_staff_user_cannot_open_an_employee(staff_manager, cast, login):
    client = login(staff_manager)
    assert client.get(reverse("admin:staff_employee_change", args=[cast.employee.pk])).status_code in (302, 403)
    index = client.get(reverse("admin:index"))
    assert "staff/employee" not in index.content.decode()


def test_hr_employee_changelist_search_and_filters(cast, hr_admin, login):
    client = login(hr_admin)
    url = reverse("admin:staff_employee_changelist")
    assert changelist_ids(client.get(url)) == set(Employee.objects.values_list("pk", flat=True))
    assert changelist_ids(client.get(url, {"q": "кузнецов"})) == {cast.employee.pk}
    assert changelist_ids(client.get(url, {"q": cast.outsider.personnel_number})) == {cast.outsider.pk}
    assert changelist_ids(client.get(url, {"q": "outsider@example.test"})) == {cast.outsider.pk}
    assert changelist_ids(client.get(url, {"active": "no"})) == {cast.deactivated.pk}
    titles = [str(spec.title) for spec in client.get(url).context["cl"].filter_specs]
    assert len(titles) == len(set(titles)) and "активен" in titles  # once: it covers the disabled login too
    sales_east = {cast.sub_manager.pk, cast.sub_employee.pk}
    assert changelist_ids(client.get(url, {"department__id__exact": cast.sales_east.pk})) == sales_east


def test_hr_employee_change_page_shows_the_rate_history_and_manager(cast, hr_admin, login):
    response = login(hr_admin).get(reverse("admin:staff_employee_change", args=[cast.employee.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "100000" in html
    assert str(cast.manager) in html  # the computed manager


def test_hr_adds_an_employee_with_login_and_first_rate(cast, hr_admin, login):
    client = login(hr_admin)
    response = client.post(
        reverse("admin:staff_employee_add"),
        {
            "username": "sokolova",
            "password": "Str0ng-pass-phrase",
            "last_name": "Соколова",
            "first_name": "Ирина",
            "patronymic": "Олеговна",
            "email": "sokolova@example.test",
            "language": "ru",
            "department": cast.engineering.pk,
            "hire_date": "2025-04-01",
            "fte": "0.75",
            "salary": "150000.00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    employee = Employee.objects.get(user__username="sokolova")
    assert employee.full_name == "Соколова Ирина Олеговна"
    assert employee.user.check_password("Str0ng-pass-phrase")
    rate = PayRate.objects.get(employee=employee)
    assert (rate.effective_date, rate.fte, rate.salary) == (dt.date(2025, 4, 1), Decimal("0.75"), Decimal("150000"))
    assert employee.history.latest().history_user == hr_admin.user


def test_admin_add_employee_validates(cast, hr_admin, login):
    response = login(hr_admin).post(
        reverse("admin:staff_employee_add"),
        {
            "username": "employee",  # taken
            "password": "123",  # too weak
            "last_name": "Х",
            "first_name": "Y",
            "email": "x@example.test",
            "language": "ru",
            "department": cast.engineering.pk,
            "hire_date": "2025-04-01",
            "fte": "2",
            "salary": "1",
        },
    )
    assert response.status_code == 200
    assert {"username", "password", "fte"} <= set(response.context["adminform"].form.errors)
    assert Employee.objects.count() == 9


def test_the_pay_rate_admin_is_read_only(cast, hr_admin, login):
    """A pay change is a rate-change request another person approves; the admin neither adds nor edits a rate."""
    client = login(hr_admin)
    response = client.post(
        reverse("admin:staff_payrate_add"),
        {"employee": cast.outsider.pk, "effective_date": "2024-09-01", "fte": "1.00", "salary": "130000.00"},
    )
    assert response.status_code == 403
    assert not PayRate.objects.filter(employee=cast.outsider, effective_date=dt.date(2024, 9, 1)).exists()
    rate = PayRate.objects.filter(employee=cast.outsider).first()
    page = client.get(reverse("admin:staff_payrate_change", args=[rate.pk]))
    assert page.status_code == 200 and 'name="salary"' not in page.content.decode()
    assert client.post(reverse("admin:staff_payrate_change", args=[rate.pk]), {"salary": "1"}).status_code == 403


def test_department_tree_is_indented_and_saved_through_the_service(cast, hr_admin, login):
    client = login(hr_admin)
    page = client.get(reverse("admin:staff_department_changelist"))
    html = page.content.decode()
    assert [d.pk for d in page.context["cl"].result_list] == list(
        Department.objects.order_by("path").values_list("pk", flat=True)
    )
    assert 'padding-left: 3.0em">Продажи Восток' in html
    response = client.post(
        reverse("admin:staff_department_add"), {"name": "Продажи Запад", "parent": cast.sales.pk, "head": ""}
    )
    assert response.status_code == 302
    west = Department.objects.get(name="Продажи Запад")
    assert west.path == f"{cast.sales.path}{west.pk}/"
    # moving a subtree re-roots the paths below it
    response = client.post(
        reverse("admin:staff_department_change", args=[cast.sales.pk]),
        {"name": "Продажи", "parent": cast.engineering.pk, "head": cast.manager.pk},
    )
    assert response.status_code == 302
    cast.sales_east.refresh_from_db()
    assert cast.sales_east.path.startswith(cast.engineering.path)


def test_department_cannot_move_into_its_own_subtree(cast, hr_admin, login):
    response = login(hr_admin).post(
        reverse("admin:staff_department_change", args=[cast.sales.pk]),
        {"name": "Продажи", "parent": cast.sales_east.pk, "head": cast.manager.pk},
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors


def test_timesheet_changelist_with_date_hierarchy(cast, hr_admin, login):
    TimesheetEntry.objects.create(employee=cast.employee, date=dt.date(2024, 5, 9), kind="holiday", hours=8)
    client = login(hr_admin)
    url = reverse("admin:staff_timesheetentry_changelist")
    assert client.get(url, {"date__year": 2024, "date__month": 5}).status_code == 200
    assert changelist_ids(client.get(url, {"kind__exact": "holiday", "q": "кузнецов"})) == set(
        TimesheetEntry.objects.values_list("pk", flat=True)
    )


def test_hr_delegation_change_is_in_history_with_actor(cast, hr_admin, login):
    from staff.models import Delegation

    response = login(hr_admin).post(
        reverse("admin:staff_delegation_add"),
        {
            "manager": cast.manager.pk,
            "deputy": cast.employee.pk,
            "start_date": "2025-07-01",
            "end_date": "2025-07-14",
        },
    )
    assert response.status_code == 302
    assert Delegation.history.latest().history_user == hr_admin.user


def test_user_admin_history_is_for_superusers_only(cast, hr_admin, login):
    url = reverse("admin:auth_user_history", args=[cast.employee.user.pk])
    assert login(hr_admin).get(url).status_code == 403
    root = User.objects.create_superuser("root", "root@example.test", "x")
    assert login(root).get(url).status_code == 200


@pytest.mark.parametrize("language", ["ru", "en"])
def test_row_checkbox_is_djangos_markup(cast, language) -> None:
    """HRAdminMixin formats the row checkbox instead of rendering Django's widget templates: the markup must stay
    Django's to the byte (the admin's select-all script finds the boxes by name and class), hostile names
    escaped once."""
    from django.contrib import admin
    from django.contrib.admin import ModelAdmin
    from django.utils import translation

    employee = cast.employee
    employee.last_name = '<b>"О\'Нил" & Ко</b>'
    hr_admin = admin.site._registry[Employee]
    with translation.override(language):
        ours = hr_admin.action_checkbox(employee)
        djangos = ModelAdmin.action_checkbox(hr_admin, employee)
    assert ours == djangos
    assert "&lt;b&gt;&quot;О&#x27;Нил&quot; &amp; Ко&lt;/b&gt;" in ours


def test_employee_list_rows_carry_checkboxes(cast, hr_admin, login) -> None:
    response = login(hr_admin).get(reverse("admin:staff_employee_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="action-select"') == Employee.objects.count()
    assert f'name="_selected_action" value="{cast.employee.pk}" class="action-select"' in html


@pytest.mark.parametrize("params", [{}, {"q": '&Нил"<b>', "o": "-2"}, {"active": "yes", "q": "Нил"}])
def test_row_links_are_djangos(cast, hr_admin, login, monkeypatch, params) -> None:
    """HRChangeList puts the list's filters on each row's change link itself, where Django resolves every link to
    add them: the links must stay Django's to the byte, with no filters and with hostile ones."""
    import re

    from django.contrib.admin import ModelAdmin

    from staff.admin import EmployeeAdmin

    cast.employee.last_name = 'Кузнецов-&Нил"<b>'
    cast.employee.save()
    client = login(hr_admin)
    url = reverse("admin:staff_employee_changelist")

    def links() -> list[str]:
        response = client.get(url, params)
        assert response.status_code == 200
        return re.findall(r'href="([^"]*/change/[^"]*)"', response.content.decode())

    ours = links()
    monkeypatch.setattr(EmployeeAdmin, "get_changelist", ModelAdmin.get_changelist)
    djangos = links()
    assert ours == djangos
    assert f"/admin/staff/employee/{cast.employee.pk}/change/" in "".join(ours)
    if params:
        assert all("?_changelist_filters=" in link for link in ours)
    else:
        assert not any("?" in link for link in ours)
