"""The fixed test cast (STYLE.md): an organisation where every role has one person.

Company (head: ceo)
├── Sales (head: manager)
│   └── Sales East (head: sub_manager)  ← sub_employee
│   employee (reports to manager)
├── Engineering (head: other_manager)
│   outsider
└── Human Resources (head: hr)           ← hr is in the `hr` group
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from leave.models import LeaveType
from staff.models import HR_GROUP, Department, Employee, Position
from staff.services import department_save, pay_rate_record

PASSWORD = "demo-Passw0rd!"
HIRE = dt.date(2023, 1, 9)

_counter = iter(range(1, 10_000_000))

if os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("HRPORTAL_TEST_WORKER"):
    # Workers without tests/parallel.py would share one broker database and one var directory.
    raise pytest.UsageError("several workers need `-p tests.parallel` (see the Makefile's test target)")


def make_employee(
    *,
    username: str,
    department: Department,
    last_name: str = "Иванов",
    first_name: str = "Иван",
    patronymic: str = "Иванович",
    hire_date: dt.date = HIRE,
    salary: Decimal = Decimal("100000.00"),
    fte: Decimal = Decimal("1.00"),
    position: Position | None = None,
    language: str = "ru",
) -> Employee:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.test",
        first_name=first_name,
        last_name=last_name,
    )
    employee = Employee.objects.create(
        user=user,
        personnel_number=f"P{next(_counter):05d}",
        last_name=last_name,
        first_name=first_name,
        patronymic=patronymic,
        email=user.email,
        department=department,
        position=position,
        hire_date=hire_date,
        language=language,
    )
    pay_rate_record(employee=employee, effective_date=hire_date, fte=fte, salary=salary, comment="hire")
    return employee


def make_department(name: str, parent: Department | None = None) -> Department:
    return department_save(department=Department(name=name, parent=parent))


def set_head(department: Department, head: Employee) -> None:
    department.head = head
    department_save(department=department)


class Cast:
    def __init__(self) -> None:
        self.company = make_department("Компания")
        self.sales = make_department("Продажи", self.company)
        self.sales_east = make_department("Продажи Восток", self.sales)
        self.engineering = make_department("Разработка", self.company)
        self.hr_department = make_department("Отдел кадров", self.company)
        self.ceo = make_employee(username="ceo", department=self.company, last_name="Петров", first_name="Пётр")
        self.manager = make_employee(
            username="manager", department=self.sales, last_name="Смирнова", first_name="Анна", patronymic="Сергеевна"
        )
        self.employee = make_employee(
            username="employee",
            department=self.sales,
            last_name="Кузнецов",
            first_name="Алексей",
            patronymic="Павлович",
        )
        self.sub_manager = make_employee(username="sub_manager", department=self.sales_east, last_name="Орлов")
        self.sub_employee = make_employee(username="sub_employee", department=self.sales_east, last_name="Волков")
        self.other_manager = make_employee(username="other_manager", department=self.engineering, last_name="Соколов")
        self.outsider = make_employee(
            username="outsider", department=self.engineering, last_name="Попов", first_name="Дмитрий"
        )
        self.hr = make_employee(username="hr", department=self.hr_department, last_name="Лебедева", first_name="Мария")
        self.hr.user.groups.add(Group.objects.get_or_create(name=HR_GROUP)[0])
        set_head(self.company, self.ceo)
        set_head(self.sales, self.manager)
        set_head(self.sales_east, self.sub_manager)
        set_head(self.engineering, self.other_manager)
        set_head(self.hr_department, self.hr)
        deactivated = make_employee(username="deactivated", department=self.sales, last_name="Уволенный")
        deactivated.user.is_active = False
        deactivated.user.save()
        self.deactivated = deactivated

    def by_role(self, role: str) -> Employee:
        return getattr(self, role)


@pytest.fixture
def cast(db: None) -> Cast:
    return Cast()


@pytest.fixture
def employee(cast: Cast) -> Employee:
    return cast.employee


@pytest.fixture
def manager(cast: Cast) -> Employee:
    return cast.manager


@pytest.fixture
def hr(cast: Cast) -> Employee:
    return cast.hr


@pytest.fixture
def outsider(cast: Cast) -> Employee:
    return cast.outsider


@pytest.fixture(autouse=True)
def _migration_data(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush every table between tests, data migrations' rows included; put back
    what the code relies on (the standard leave types) instead of `serialized_rollback`, which
    collides with the content types that the flush's post_migrate recreates."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return
    request.getfixturevalue("transactional_db")
    ensure_leave_types()


@transaction.atomic
def ensure_leave_types() -> int:
    """Create any missing standard leave type, as migration 0002 does; returns how many were created."""
    standard = importlib.import_module("leave.migrations.0002_standard_leave_types").STANDARD_TYPES
    created = 0
    for values in standard:
        _, was_created = LeaveType.objects.get_or_create(code=values["code"], defaults=values)
        created += was_created
    return created


@pytest.fixture
def login() -> Callable[[Employee | User], Client]:
    """`login(person)` → a Django test client with a real session of that person."""
    from tests.harness.util import login_client

    return login_client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2 is slow by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class FreshUserAPIClient(APIClient):
    """Like force_authenticate, but each request gets a freshly loaded user, as in production
    (access answers are memoised on the user object for one request)."""

    def __init__(self, user: User | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._user_pk = user.pk if user is not None else None

    def request(self, **kwargs: object):  # type: ignore[override]
        if self._user_pk is not None:
            self.force_authenticate(user=User.objects.get(pk=self._user_pk))
        return super().request(**kwargs)


@pytest.fixture
def api() -> Callable[[Employee | User | None], APIClient]:
    """`api(person)` → an APIClient authenticated as that employee/user (or anonymous for None)."""

    def make(person: Employee | User | None) -> APIClient:
        user = person.user if isinstance(person, Employee) else person
        return FreshUserAPIClient(user)

    return make
