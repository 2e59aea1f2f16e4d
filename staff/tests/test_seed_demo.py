"""seed_demo: deterministic plan, realistic content, idempotent command."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from staff import access
from staff.demo.calendar import production_calendar
from staff.demo.names import feminine_surname, transliterate
from staff.demo.plan import FIXED_LOGINS, PersonPlan, RatePlan, build_plan, timesheet_rows
from staff.models import Department, Employee, PayRate, Position, TimesheetEntry

TODAY = dt.date(2025, 3, 14)


def names(plan):
    return [(p.personnel_number, p.username, p.full_name) for p in plan.people]


# --- the plan (no database) -----------------------------------------------------------------------


def test_same_seed_same_people_other_seed_other_people():
    first = build_plan(employees=120, seed=7, today=TODAY)
    again = build_plan(employees=120, seed=7, today=TODAY)
    assert names(first) == names(again)
    assert [(d.name, d.parent, d.head) for d in first.departments] == [
        (d.name, d.parent, d.head) for d in again.departments
    ]
    assert [p.rates for p in first.people] == [p.rates for p in again.people]
    assert names(build_plan(employees=120, seed=8, today=TODAY)) != names(first)


def test_names_do_not_depend_on_the_day_of_the_run():
    assert names(build_plan(employees=60, seed=3, today=TODAY)) == names(
        build_plan(employees=60, seed=3, today=dt.date(2026, 1, 2))
    )


def test_names_are_russian_and_agree_in_gender():
    plan = build_plan(employees=400, seed=1, today=TODAY)
    for person in plan.people:
        if person.female:
            assert person.patronymic.endswith("на"), person.full_name
        else:
            assert person.patronymic.endswith("ич"), person.full_name
    assert 0.3 < sum(p.female for p in plan.people) / len(plan.people) < 0.7
    assert len({p.username for p in plan.people}) == len(plan.people)
    assert all(p.username.isascii() for p in plan.people)


@pytest.mark.parametrize(
    ("male", "female"),
    [
        ("Иванов", "Иванова"),
        ("Ильин", "Ильина"),
        ("Покровский", "Покровская"),
        ("Толстой", "Толстая"),
        ("Шевченко", "Шевченко"),
        ("Черных", "Черных"),
    ],
)
def test_feminine_surnames(male, female):
    assert feminine_surname(male) == female


def test_transliteration():
    assert transliterate("Щукина Юлия") == "shchukina yuliya"


@pytest.mark.parametrize(
    ("employees", "levels"), [(200, {0, 1, 2, 3, 4}), (2000, {0, 1, 2, 3, 4}), (30000, {0, 1, 2, 3, 4, 5})]
)
def test_org_is_several_levels_deep_with_a_head_everywhere(employees, levels):
    plan = build_plan(employees=employees, seed=1, today=TODAY)
    assert {d.level for d in plan.departments} == levels
    assert all(d.head is not None for d in plan.departments)
    heads = {d.head for d in plan.departments}
    assert len(heads) == len(plan.departments)
    if employees >= 1000:
        assert 0.8 <= len(plan.departments) * 25 / employees <= 1.2  # about 25 people a department


def test_fixed_logins_sit_where_the_contract_says():
    plan = build_plan(employees=60, seed=5, today=TODAY)
    by_key = {d.key: d for d in plan.departments}
    manager, employee, outsider, hr = (plan.login(n) for n in ("manager", "employee", "outsider", "hr"))
    assert by_key[manager.department].head == manager.index
    assert employee.department == manager.department and by_key[employee.department].head != employee.index

    def ancestors(key):
        while key is not None:
            yield key
            key = by_key[key].parent

    assert manager.department not in set(ancestors(outsider.department))
    assert hr.hr and not manager.hr
    assert all(p.termination_date is None for p in (manager, employee, outsider, hr))


def test_rates_rise_during_the_year_and_some_are_corrected():
    plan = build_plan(employees=1000, seed=2, today=TODAY)
    comments = {r.comment for p in plan.people for r in p.rates}
    assert {"приём на работу", "ежегодная индексация", "повышение", "изменение ставки"} <= comments
    assert any(r.superseded for p in plan.people for r in p.rates)
    for person in plan.people:
        current = [r for r in person.rates if not r.superseded]
        dates = [r.effective_date for r in current]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)
        assert dates[0] == person.hire_date
    year_ago = TODAY - dt.timedelta(days=365)
    raised = [
        p for p in plan.people if any(r.effective_date > year_ago and r.comment != "приём на работу" for r in p.rates)
    ]
    assert len(raised) > len(plan.people) / 2


def _person(**overrides):
    values = {
        "index": 0,
        "personnel_number": "DM00001",
        "username": "x",
        "last_name": "Иванов",
        "first_name": "Иван",
        "patronymic": "Иванович",
        "female": False,
        "email": "x@example.test",
        "language": "ru",
        "department": 0,
        "position": "Программист",
        "hire_date": dt.date(2020, 1, 1),
        "termination_date": None,
        "rates": [RatePlan(dt.date(2020, 1, 1), Decimal("1.00"), Decimal("100"), "приём на работу")],
    }
    return PersonPlan(**{**values, **overrides})


# A week in 2024: Friday 3 May shortened? No — Wednesday 8 May is (before Victory Day, Thursday 9 May).
CALENDAR = {
    dt.date(2024, 5, 8): ("working_day", True),
    dt.date(2024, 5, 9): ("public_holiday", False),
    dt.date(2024, 5, 10): ("day_off", False),
}


def test_timesheet_rows_follow_the_calendar_and_the_fte():
    person = _person(
        rates=[
            RatePlan(dt.date(2020, 1, 1), Decimal("1.00"), Decimal("100"), "приём на работу"),
            RatePlan(dt.date(2024, 5, 8), Decimal("0.50"), Decimal("100"), "изменение ставки"),
        ]
    )
    rows = list(timesheet_rows(person, 42, CALENDAR, dt.date(2024, 5, 6), dt.date(2024, 5, 12), seed=1))
    assert [(d.isoformat(), k, h) for _e, d, k, h, _o in rows] == [
        ("2024-05-06", "regular", Decimal("8.00")),
        ("2024-05-07", "regular", Decimal("8.00")),
        ("2024-05-08", "regular", Decimal("3.50")),  # shortened (7 h) at half time
    ]
    assert all(e == 42 for e, *_ in rows)


def test_timesheet_rows_respect_hire_and_termination():
    person = _person(hire_date=dt.date(2024, 5, 7), termination_date=dt.date(2024, 5, 8))
    person.rates[0].effective_date = dt.date(2024, 5, 7)
    rows = list(timesheet_rows(person, 1, {}, dt.date(2024, 5, 1), dt.date(2024, 5, 31), seed=1))
    assert [r[1] for r in rows] == [dt.date(2024, 5, 7), dt.date(2024, 5, 8)]


def test_off_day_workers_work_holidays_and_weekends():
    person = _person(off_day_worker=True)
    new_year = {dt.date(2024, 1, day): ("public_holiday", False) for day in range(1, 9)}
    calendar = {**CALENDAR, **new_year}
    rows = list(timesheet_rows(person, 1, calendar, dt.date(2024, 1, 1), dt.date(2024, 12, 31), seed=1))
    kinds = {r[2] for r in rows}
    assert {"regular", "holiday", "weekend"} <= kinds
    holidays = [r for r in rows if r[2] == "holiday"]
    assert {r[1] for r in holidays} <= {dt.date(2024, 5, 9), *new_year}
    assert any(r[4] for r in rows) and not all(r[4] for r in rows if r[2] != "regular")


# --- the calendar -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_production_calendar_prefers_the_leave_table_and_falls_back_to_holidays():
    try:
        calendar_day = apps.get_model("leave", "CalendarDay")
    except LookupError:
        calendar_day = None
    if calendar_day is not None:
        calendar_day.objects.filter(date__year=2024).delete()
        calendar_day.objects.create(date=dt.date(2024, 5, 9), kind="public_holiday")
        calendar_day.objects.create(date=dt.date(2024, 5, 8), kind="working_day", shortened=True)
    days, sources = production_calendar(dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    if calendar_day is not None:
        assert sources[2024] == "leave.CalendarDay"
        assert days[dt.date(2024, 5, 8)] == ("working_day", True)
        assert dt.date(2024, 1, 1) not in days  # only what the table says for that year
    if calendar_day is None or not calendar_day.objects.filter(date__year=2025).exists():
        assert sources[2025] == "holidays.RU"
        assert days[dt.date(2025, 5, 9)] == ("public_holiday", False)
        assert days[dt.date(2025, 3, 7)] == ("working_day", True)  # art. 95, derived
        assert days[dt.date(2025, 4, 30)] == ("working_day", True)
        assert days[dt.date(2025, 11, 1)] == ("working_weekend", False)  # a working Saturday
        assert days[dt.date(2025, 5, 2)] == ("day_off", False)  # moved from 4 January


# --- the command --------------------------------------------------------------------------------


def _counts():
    return (
        User.objects.count(),
        Employee.objects.count(),
        Department.objects.count(),
        Position.objects.count(),
        PayRate.objects.count(),
        TimesheetEntry.objects.count(),
        Employee.history.count(),
    )


@pytest.mark.django_db
def test_seed_demo_creates_the_plan_and_a_second_run_adds_nothing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("seed_demo", employees=40, seed=11, today=TODAY, password="pw-demo", no_accrual=True, stdout=out)
    plan = build_plan(employees=40, seed=11, today=TODAY)
    stored = sorted(
        Employee.objects.values_list("personnel_number", "user__username", "last_name", "first_name", "patronymic")
    )
    assert stored == sorted(
        (p.personnel_number, p.username, p.last_name, p.first_name, p.patronymic) for p in plan.people
    )
    text = out.getvalue()
    for login in FIXED_LOGINS:
        assert login in text
        assert User.objects.get(username=login).check_password("pw-demo")
    # roles as the contract names them
    hr_user = User.objects.get(username="hr")
    assert hr_user.is_staff and access.is_hr(hr_user)
    assert hr_user.groups.get().permissions.filter(codename="change_employee").exists()
    manager = Employee.objects.get(user__username="manager")
    employee = Employee.objects.get(user__username="employee")
    outsider = Employee.objects.get(user__username="outsider")
    assert access.manager_of(employee) == manager
    assert not access.manages(manager, outsider)
    assert "manager" in access.roles_of(manager.user) and "hr" not in access.roles_of(manager.user)
    # rates and timesheets are there, with work on days off
    assert PayRate.objects.filter(superseded_at__isnull=True).values("employee").distinct().count() == 40
    assert TimesheetEntry.objects.filter(kind="regular").count() > 40 * 200
    assert TimesheetEntry.objects.filter(employee=employee, kind__in=["holiday", "weekend"]).exists()
    assert all(p.path for p in Department.objects.all())

    before = _counts()
    again = io.StringIO()
    call_command("seed_demo", employees=40, seed=11, today=TODAY, no_accrual=True, stdout=again)
    assert _counts() == before
    assert "already present" in again.getvalue()


@pytest.mark.django_db
def test_seed_demo_refuses_a_database_with_other_people_named_like_the_logins():
    User.objects.create_user("manager", password="x")
    with pytest.raises(CommandError):
        call_command("seed_demo", employees=40, no_accrual=True, stdout=io.StringIO())
    assert not Employee.objects.exists()


def test_seed_demo_needs_enough_employees():
    with pytest.raises(CommandError):
        call_command("seed_demo", employees=5, stdout=io.StringIO())
