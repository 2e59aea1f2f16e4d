"""Audit: every change of a pay rate, of a role (membership of the `hr` group), every approval and every HR
ledger adjustment is recorded with its actor, its time, the old and the new values — whichever path made it:
the admin (an HR superuser posting the admin's own forms and bulk actions), the services, the API.

Where the record lives:
- pay rates: simple-history rows of PayRate (`history_user`, `history_date`); a rate is never edited, so the
  old value is the superseded row (its `~` record sets `superseded_at`) or the rate in force before, the new
  value the new row (`+`), and `created_by` names the actor on the row itself;
- roles: simple-history rows of User with their `groups` (m2m history): the record before and the record
  after the change, `history_user` the actor;
- approvals: RequestEvent rows (`actor`, `at`, `from_status` → `to_status`, `stage`);
- ledger adjustments: the append-only LeaveEntry of kind `adjustment` (`actor`, `created_at`, signed `days`):
  the balance before plus `days` is the balance after.

And the guard: a bulk `QuerySet.update()`/`bulk_update()` or a raw group change on these models skips
simple-history and the services' own records. `test_no_unaudited_bulk_writes` parses the application code
(not tests, not migrations) and fails on any such call outside the helpers allowed to make it.

Past 400 lines: every audited write path, and the AST guard, in one place.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from conftest import make_employee
from documents.models import Document
from documents.services import signature_record_paper
from leave.models import LeaveEntry, LeaveType
from leave.selectors import balance
from leave.services import leave_adjust
from requests_app.models import Request, RequestEvent
from requests_app.services import request_approve, request_create, request_reject
from staff.models import HR_GROUP, Employee, PayRate
from staff.selectors import rate_on
from staff.services import hr_group_ensure, hr_role_set, pay_rate_record

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
D = Decimal


@pytest.fixture
def hr_admin_client(cast: Any) -> Client:
    """HR's person as a superuser in the admin (users and groups are a superuser's pages)."""
    hr_group_ensure()
    user = cast.hr.user
    user.is_staff = True
    user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


def recent(moment: dt.datetime, started: dt.datetime) -> bool:
    return started <= moment <= timezone.now()


def groups_of(record: Any) -> set[str]:
    return {row.group.name for row in record.groups.all()}


def user_records(user: User) -> list[Any]:
    return list(User.history.filter(id=user.pk).order_by("history_id"))


def assert_posted(response: Any) -> None:
    """An admin form that saved answers 302; a 200 is the form again, with its errors."""
    if response.status_code != 302:
        errors = getattr(response, "context", None) and [
            form.errors for form in (response.context.get("adminform"),) if form is not None
        ]
        raise AssertionError(f"admin answered {response.status_code}: {errors}")


# --- pay rates ---------------------------------------------------------------------------------------


def assert_rate_recorded(rate: PayRate, actor: User, started: dt.datetime, fte: str, salary: str) -> None:
    assert (rate.fte, rate.salary, rate.created_by_id) == (D(fte), D(salary), actor.pk)
    [created] = PayRate.history.filter(id=rate.pk, history_type="+")
    assert created.history_user_id == actor.pk and recent(created.history_date, started)
    assert (created.fte, created.salary) == (D(fte), D(salary))


def assert_superseded_by(old: PayRate, actor: User, started: dt.datetime, fte: str, salary: str) -> None:
    old.refresh_from_db()
    assert old.superseded_at is not None and (old.fte, old.salary) == (D(fte), D(salary))  # the old values stay
    change = PayRate.history.filter(id=old.pk, history_type="~").latest()
    assert change.history_user_id == actor.pk and recent(change.history_date, started)
    delta = change.diff_against(change.prev_record)
    assert [c.field for c in delta.changes] == ["superseded_at"]


def test_rate_corrections_approved_in_the_admin_are_recorded_with_actor_old_and_new(
    hr_admin_client: Client, cast: Any
) -> None:
    """A pay change is a rate-change request (four eyes): another HR member files the correction, HR approves it
    with the admin's bulk action, and the rate rows record the approver as their actor."""
    employee, actor = cast.employee, cast.hr.user
    second_hr = make_employee(username="hr2", department=cast.hr_department, last_name="Зайцева")
    second_hr.user.groups.add(Group.objects.get(name=HR_GROUP))
    started = timezone.now()
    before = rate_on(employee, dt.date(2025, 3, 1))
    assert (before.fte, before.salary) == (D("1.00"), D("100000.00"))  # the old value: the hire rate

    def correct(salary: str) -> None:
        filed = request_create(
            actor=second_hr.user,
            kind="rate_change",
            employee=employee,
            effective_date=dt.date(2025, 3, 1),
            fte=D("1.00"),
            salary=D(salary),
            comment="raise",
            correction=True,
        )
        assert_posted(
            hr_admin_client.post(
                "/admin/requests_app/request/", {"action": "approve_selected", "_selected_action": [filed.pk]}
            )
        )

    correct("150000.00")
    first = PayRate.objects.get(employee=employee, effective_date=dt.date(2025, 3, 1))
    assert_rate_recorded(first, actor, started, "1.00", "150000.00")

    # A correction of the same date: the old row is superseded (recorded), the new one recorded.
    correct("155000.00")
    assert_superseded_by(first, actor, started, "1.00", "150000.00")
    second = PayRate.objects.get(employee=employee, effective_date=dt.date(2025, 3, 1), superseded_at=None)
    assert_rate_recorded(second, actor, started, "1.00", "155000.00")
    assert rate_on(employee, dt.date(2025, 3, 1)).salary == D("155000.00")


def test_rates_through_the_service_are_recorded_with_actor_old_and_new(cast: Any) -> None:
    employee, actor = cast.employee, cast.manager.user
    started = timezone.now()
    first = pay_rate_record(
        employee=employee, effective_date=dt.date(2025, 5, 1), fte=D("0.50"), salary=D("60000"), actor=actor
    )
    assert_rate_recorded(first, actor, started, "0.50", "60000.00")
    second = pay_rate_record(
        employee=employee, effective_date=dt.date(2025, 5, 1), fte=D("0.75"), salary=D("60000"), actor=actor
    )
    assert_superseded_by(first, actor, started, "0.50", "60000.00")
    assert_rate_recorded(second, actor, started, "0.75", "60000.00")


# --- approvals (and the pay rates they change), in bulk through the admin ---------------------------------


def assert_decided(request: Request, actor: User, started: dt.datetime, action: str, to_status: str) -> None:
    event = RequestEvent.objects.filter(request=request).order_by("at", "id").last()
    assert event is not None
    assert (event.action, event.actor_id, event.from_status, event.to_status) == (
        action,
        actor.pk,
        "pending",
        to_status,
    )
    assert recent(event.at, started)


def test_bulk_approval_in_the_admin_records_every_decision_and_every_rate(hr_admin_client: Client, cast: Any) -> None:
    employee, sub_employee, actor = cast.employee, cast.sub_employee, cast.hr.user
    start = timezone.localdate() + dt.timedelta(days=30)  # a manager proposes changes from today on
    filed = [
        request_create(
            actor=manager.user, kind="rate_change", employee=person, effective_date=start, fte=D("1.00"), salary=salary
        )
        for manager, person, salary in (
            (cast.manager, employee, D("130000")),
            (cast.sub_manager, sub_employee, D("95000")),
        )
    ]
    assert [r.stage for r in filed] == ["hr", "hr"]  # the manager's step is theirs already: HR decides
    old = {p.pk: rate_on(p, start) for p in (employee, sub_employee)}
    started = timezone.now()

    response = hr_admin_client.post(
        "/admin/requests_app/request/",
        {"action": "approve_selected", "_selected_action": [r.pk for r in filed]},
    )
    assert response.status_code == 302
    for request in filed:  # art. 72: the change applies once the agreement is signed (here: on paper, HR records)
        agreement = Document.objects.get(request=request, kind="rate_agreement")
        signature_record_paper(document_id=agreement.pk, actor=actor)
    for request, person, salary in ((filed[0], employee, "130000.00"), (filed[1], sub_employee, "95000.00")):
        request.refresh_from_db()
        assert request.status == "approved"
        assert_decided(request, actor, started, "approved", "approved")
        new = rate_on(person, start)
        assert new.pk != old[person.pk].pk and new.salary == D(salary)
        assert_rate_recorded(PayRate.objects.get(pk=new.pk), actor, started, "1.00", salary)


def test_approvals_and_rejections_through_the_service_and_the_api_are_recorded(cast: Any, api: Any) -> None:
    employee, manager = cast.employee, cast.manager
    first, second, third = (  # trips: the manager decides them (certificates go to HR alone)
        request_create(
            actor=employee.user,
            kind="business_trip",
            start_date=dt.date(2027, month, 1),
            end_date=dt.date(2027, month, 2),
            destination="Омск",
            purpose="Аудит",
        )
        for month in (1, 2, 3)
    )
    started = timezone.now()
    request_approve(request_id=first.pk, actor=manager.user, comment="ok")
    request_reject(request_id=second.pk, actor=manager.user, comment="no")
    assert api(manager).post(f"/api/v1/requests/{third.pk}/approve/", {"comment": "ok"}).status_code == 200
    assert_decided(first, manager.user, started, "approved", "approved")
    assert_decided(second, manager.user, started, "rejected", "rejected")
    assert_decided(third, manager.user, started, "approved", "approved")
    assert RequestEvent.objects.get(request=second, action="rejected").comment == "no"


# --- roles -------------------------------------------------------------------------------------------


def user_change_form(user: User, groups: list[int]) -> dict[str, Any]:
    joined = timezone.localtime(user.date_joined)
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": groups,
        "user_permissions": [],
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }


def test_a_role_granted_and_withdrawn_in_the_admin_is_recorded_with_actor_old_and_new(
    hr_admin_client: Client, cast: Any
) -> None:
    user, actor = cast.employee.user, cast.hr.user
    hr_group = Group.objects.get(name=HR_GROUP)
    known = len(user_records(user))
    started = timezone.now()

    url = f"/admin/auth/user/{user.pk}/change/"
    assert_posted(hr_admin_client.post(url, user_change_form(user, [hr_group.pk])))
    assert user.groups.filter(name=HR_GROUP).exists()
    assert_posted(hr_admin_client.post(url, user_change_form(user, [])))
    assert not user.groups.exists()

    records = user_records(user)[known - 1 :]  # the state before, then every change
    assert groups_of(records[0]) == set()
    assert {HR_GROUP} in [groups_of(r) for r in records[1:]]  # granted …
    assert groups_of(records[-1]) == set()  # … and withdrawn
    for record in records[1:]:
        assert record.history_user_id == actor.pk and recent(record.history_date, started)


def test_a_role_changed_by_the_service_is_recorded_with_actor_old_and_new(cast: Any) -> None:
    user, actor = cast.outsider.user, cast.hr.user
    known = len(user_records(user))
    started = timezone.now()
    hr_role_set(user=user, is_hr=True, actor=actor)
    hr_role_set(user=user, is_hr=True, actor=actor)  # nothing changes: nothing recorded
    hr_role_set(user=user, is_hr=False, actor=actor)

    records = user_records(user)[known - 1 :]
    assert [groups_of(r) for r in records] == [set(), {HR_GROUP}, set()]
    assert [r.history_change_reason for r in records[1:]] == ["hr role granted", "hr role withdrawn"]
    assert all(r.history_user_id == actor.pk and recent(r.history_date, started) for r in records[1:])


# --- HR ledger adjustments -----------------------------------------------------------------------------


def available(employee: Employee, on: dt.date) -> Decimal:
    return balance(employee=employee, leave_type="annual", on=on).available


def test_a_ledger_adjustment_in_the_admin_is_recorded_with_actor_old_and_new(
    hr_admin_client: Client, cast: Any
) -> None:
    employee, actor = cast.employee, cast.hr.user
    on = dt.date(2025, 6, 2)
    old = available(employee, on)
    started = timezone.now()
    response = hr_admin_client.post(
        "/admin/leave/leaveentry/add/",
        {
            "employee": employee.pk,
            "leave_type": LeaveType.objects.get(code="annual").pk,
            "days": "3.50",
            "effective_date": on.isoformat(),
            "comment": "unused days carried over",
        },
    )
    assert_posted(response)
    [entry] = LeaveEntry.objects.filter(kind="adjustment", account__employee=employee)
    assert (entry.actor_id, entry.days, entry.effective_date, entry.comment) == (
        actor.pk,
        D("3.50"),
        on,
        "unused days carried over",
    )
    assert recent(entry.created_at, started)
    assert available(employee, on) == old + entry.days  # old value + the recorded change = the new value


def test_a_ledger_adjustment_by_the_service_is_recorded_with_actor_old_and_new(cast: Any) -> None:
    employee, actor = cast.sub_employee, cast.hr.user
    on = dt.date(2025, 6, 2)
    old = available(employee, on)
    started = timezone.now()
    entry = leave_adjust(
        employee=employee, leave_type="annual", days=D("-2"), actor=actor, comment="taken back", effective_date=on
    )
    entry.refresh_from_db()
    assert (entry.kind, entry.actor_id, entry.days) == ("adjustment", actor.pk, D("-2.00"))
    assert recent(entry.created_at, started)
    assert available(employee, on) == old - 2


# --- the guard against unaudited bulk writes --------------------------------------------------------------

APP_DIRS = ("hrportal", "staff", "leave", "requests_app", "notifications", "schedule", "reports")
# Audited models, and the related-manager names that lead to their rows from another object.
AUDITED_MODELS = {"Employee", "PayRate", "User", "Request", "LeaveEntry", "Delegation"}
AUDITED_RELATED = {"rates", "employees", "leave_entries", "entries", "requests", "user_set", "groups"}
AUDITED_TABLES = (
    "staff_employee",
    "staff_payrate",
    "staff_delegation",
    "auth_user",
    "requests_app_request",
    "leave_leaveentry",
)
BULK_METHODS = {"update", "bulk_update"}
GROUP_METHODS = {"add", "remove", "set", "clear"}
# (file, function) → the calls it may make: helpers that record the change themselves.
ALLOWED: dict[tuple[str, str], set[str]] = {
    # The HR role: the user's history records the m2m change with `_history_user` = the actor.
    ("staff/services.py", "hr_role_set"): {"groups.add", "groups.remove"},
    # An imported absence: the service wrote its history row; this names the HR user who confirmed the import on it.
    ("leave/imports.py", "apply_absences"): {
        "absence.history.filter(history_id=absence.history.latest().history_id).update()"
    },
    # A tqdm progress bar whose total is the number of employees read: `bar.update(1)` writes nothing.
    ("schedule/management/commands/seed_schedule.py", "handle"): {"bar.update()"},
}


@dataclass(frozen=True)
class Finding:
    path: str
    function: str
    line: int
    call: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}(): {self.call}"


def _root_names(node: ast.AST, assigned: dict[str, ast.AST], depth: int = 0) -> set[str]:
    """Names and attributes a receiver expression is built from, following simple assignments in the function."""
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.add(child.id)
            if child.id in assigned and depth < 5:
                names |= _root_names(assigned[child.id], assigned, depth + 1)
        elif isinstance(child, ast.Attribute):
            names.add(child.attr)
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == "get_user_model":
            names.add("User")
    return names


def find_unaudited_writes(source: str, path: str) -> list[Finding]:
    tree = ast.parse(source)
    parent: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[child] = node

    def enclosing(node: ast.AST) -> ast.AST:
        while node in parent:
            node = parent[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return tree

    assignments: dict[ast.AST, dict[str, ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assignments.setdefault(enclosing(node), {})[node.targets[0].id] = node.value

    findings: list[Finding] = []
    for node in ast.walk(tree):
        scope = enclosing(node)
        function = getattr(scope, "name", "<module>")
        assigned = assignments.get(scope, {})
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = " ".join(node.value.lower().split())
            if any(f"update {t}" in text or f'update "{t}"' in text for t in AUDITED_TABLES):
                findings.append(Finding(path, function, node.lineno, "raw SQL UPDATE"))
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        if method in BULK_METHODS and not _is_plain_dict_or_set(receiver, assigned):
            if _root_names(receiver, assigned) & (AUDITED_MODELS | AUDITED_RELATED):
                findings.append(Finding(path, function, node.lineno, f"{ast.unparse(node.func)}()"))
        elif (
            method in GROUP_METHODS and isinstance(receiver, ast.Attribute) and receiver.attr in {"groups", "user_set"}
        ):
            findings.append(Finding(path, function, node.lineno, f"{receiver.attr}.{method}"))
    return sorted(findings, key=lambda f: (f.path, f.line))


def _is_plain_dict_or_set(receiver: ast.AST, assigned: dict[str, ast.AST]) -> bool:
    """`some_dict.update(...)`: a receiver assigned from a dict/set literal or constructor is no queryset."""
    if isinstance(receiver, ast.Name) and receiver.id in assigned:
        value = assigned[receiver.id]
        if isinstance(value, ast.Dict | ast.Set | ast.DictComp | ast.SetComp):
            return True
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in {"dict", "set"}:
            return True
    return False


def application_sources() -> list[Path]:
    files: list[Path] = []
    for directory in APP_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            files.append(path)
    return files


def test_no_unaudited_bulk_writes() -> None:
    sources = application_sources()
    assert len(sources) > 40  # the walk found the project's code
    violations = []
    for path in sources:
        relative = str(path.relative_to(ROOT))
        for finding in find_unaudited_writes(path.read_text(), relative):
            allowed = ALLOWED.get((finding.path, finding.function), set())
            if finding.call not in allowed:
                violations.append(str(finding))
    assert not violations, (
        "bulk writes that skip the audit (simple-history / the services' own records) — go through a service "
        "that records actor, old and new values, or add the helper to ALLOWED with the reason:\n"
        + "\n".join(violations)
    )


PLANTED = """
from django.contrib.auth import get_user_model
from staff.models import Employee, PayRate

def raise_everyone(employee, hr_group, ids):
    PayRate.objects.filter(employee=employee).update(salary=1)
    qs = Employee.objects.filter(pk__in=ids)
    qs.update(extra_leave_days=3)
    Employee.objects.bulk_update([employee], ["email"])
    employee.rates.all().update(fte=1)
    get_user_model().objects.filter(pk__in=ids).update(is_superuser=True)
    hr_group.user_set.add(*ids)
    employee.user.groups.set([hr_group])
    counts = {}
    counts.update(a=1)

def raw(cursor):
    cursor.execute("UPDATE staff_payrate SET salary = 0")
"""


def test_the_guard_finds_planted_bulk_writes() -> None:
    found = [(f.function, f.call) for f in find_unaudited_writes(PLANTED, "planted.py")]
    assert found == [
        ("raise_everyone", "PayRate.objects.filter(employee=employee).update()"),
        ("raise_everyone", "qs.update()"),
        ("raise_everyone", "Employee.objects.bulk_update()"),
        ("raise_everyone", "employee.rates.all().update()"),
        ("raise_everyone", "get_user_model().objects.filter(pk__in=ids).update()"),
        ("raise_everyone", "user_set.add"),
        ("raise_everyone", "groups.set"),
        ("raw", "raw SQL UPDATE"),
    ]
