"""Selectors and access helpers added for the API: managers in one query, department scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import make_department, make_employee, set_head
from staff import access
from staff.models import Delegation, Employee
from staff.selectors import current_rate, direct_reports, manager_ids, with_current_rates
from staff.services import pay_rate_record

pytestmark = pytest.mark.django_db


def test_manager_ids_agree_with_manager_of(cast, django_assert_num_queries):
    cast.outsider.manager_override = cast.manager
    cast.outsider.save()
    # A department headed by its only member: their manager is the head above.
    lonely = make_department("Одиночка", cast.sales_east)
    solo = make_employee(username="solo", department=lonely)
    set_head(lonely, solo)
    employees = list(Employee.objects.select_related("department"))
    with django_assert_num_queries(1):
        computed = manager_ids(employees)
    for employee in employees:
        expected = access.manager_of(employee)
        assert computed[employee.pk] == (expected.pk if expected else None), employee
    assert computed[solo.pk] == cast.sub_manager.pk
    assert computed[cast.outsider.pk] == cast.manager.pk


def test_current_rate_prefers_prefetched_rows_and_handles_future_hires(cast, django_assert_num_queries):
    future = make_employee(username="future", department=cast.sales, hire_date=dt.date(2999, 1, 1))
    pay_rate_record(employee=cast.employee, effective_date=dt.date(2024, 1, 1), fte=Decimal("1"), salary=Decimal("7"))
    rows = list(with_current_rates(Employee.objects.filter(pk__in=[future.pk, cast.employee.pk])))
    with django_assert_num_queries(0):
        by_id = {e.pk: current_rate(e, dt.date(2025, 1, 1)) for e in rows}
    assert by_id[cast.employee.pk].salary == Decimal("7")
    assert by_id[future.pk].effective_date == dt.date(2999, 1, 1)  # not in force yet: the first one
    assert current_rate(cast.employee, dt.date(2023, 6, 1)).salary == Decimal("100000")  # without prefetch


def test_visible_departments_include_a_deputys_subtree(cast):
    Delegation.objects.create(
        manager=cast.other_manager, deputy=cast.employee, start_date=dt.date(2000, 1, 1), end_date=dt.date(2999, 1, 1)
    )
    departments = set(access.visible_departments(cast.employee.user))
    assert departments == {cast.sales, cast.engineering}


def test_visible_departments_none_for_inactive(cast):
    assert not access.visible_departments(cast.deactivated.user).exists()


def test_admin_scope_is_hr_only(cast):
    everything = Employee.objects.all()
    assert access.visible_in_admin(cast.hr.user, everything).count() == everything.count()
    assert access.visible_in_admin(cast.manager.user, everything).count() == 0


def test_direct_reports_are_exactly_whom_manager_of_names(cast):
    """`direct_reports` turns `manager_of` around (the approvals inbox asks it): for every employee as the
    manager, and for two managers at once, the set equals {e : manager_of(e) is one of them} on a tree with a
    headless department (its people report to the head above), a headless department between a head and the
    department below, one person heading two nested departments and seated in the lower one, a head seated in
    the department above their own, and an override."""
    warehouse = make_department("Склад", cast.company)  # headless: its people report to the CEO
    make_employee(username="keeper", department=warehouse)
    gap = make_department("Пустой уровень", cast.sales)  # headless, between the manager and a team below it
    team = make_department("Команда", gap)
    lead = make_employee(username="lead", department=team)
    set_head(team, lead)
    make_employee(username="member", department=team)
    make_employee(username="gap_member", department=gap)
    outer = make_department("Отдел А", cast.engineering)
    inner = make_department("Группа А1", outer)
    double = make_employee(username="double", department=inner)  # heads both, sits in the lower one
    set_head(outer, double)
    set_head(inner, double)
    make_employee(username="inner_member", department=inner)
    sector = make_department("Сектор Б", cast.sales_east)
    above = make_employee(username="above", department=cast.sales_east)  # heads the sector, sits above it
    set_head(sector, above)
    cast.outsider.manager_override = cast.manager
    cast.outsider.save()

    employees = list(Employee.objects.select_related("department", "manager_override"))
    managers = {e.pk: access.manager_of(e) for e in employees}
    for candidate in employees:
        expected = {pk for pk, m in managers.items() if m is not None and m.pk == candidate.pk}
        assert set(direct_reports([candidate.pk]).values_list("pk", flat=True)) == expected, candidate
    pair = {cast.manager.pk, cast.ceo.pk}
    expected = {pk for pk, m in managers.items() if m is not None and m.pk in pair}
    assert set(direct_reports(pair).values_list("pk", flat=True)) == expected
    assert {e.user.username for e in Employee.objects.filter(pk__in=direct_reports([cast.ceo.pk]))} >= {
        "keeper",
        "manager",
        "other_manager",
    }


def test_the_search_reads_each_of_five_fields_in_any_case_and_follows_edits(cast) -> None:
    """`employee_search_q` over `Employee.search_text` (the five fields in capitals, computed by the database on
    every write): each field found in any case, every word needed, no word matching across two fields, LIKE's
    wildcards taken literally."""
    from staff.selectors import employee_search_q

    person = make_employee(
        username="search_me", department=cast.sales, last_name="Салтыкова-Щедрина", first_name="Ольга"
    )
    person.patronymic = "Евграфовна"
    person.save()

    def found(text: str) -> set[int]:
        return set(Employee.objects.filter(employee_search_q(text)).values_list("pk", flat=True))

    for text in ("щедрина", "ОЛЬГ", "евграф", person.personnel_number.lower(), "SEARCH_ME@EXAMPLE", "ольга салтыкова"):
        assert found(text) == {person.pk}, text
    assert found("ольга кузнецов") == set()  # every word
    assert found("ЩедринаОльга") == set() and found("Щедрина Ольга") == {person.pk}  # not across two fields
    assert found("%") == set() and found("Ольг_") == set()  # wildcards are characters
    person.last_name = "Прохорова"
    person.save()
    assert found("прохорова") == {person.pk} and found("щедрина") == set()
