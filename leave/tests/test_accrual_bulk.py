"""Bulk accrual (issue 3): the same ledger as the per-employee path it replaced, idempotent, bounded queries.

The reference below is the per-employee implementation accrue() had before it went to batches, kept
verbatim (one transaction, lock and insert per account). Each scenario makes twins — two employees with the
same hire date, absences, termination and additional days — runs the reference over one and the bulk path
over the other, and compares their ledgers entry by entry (the employee id in the key normalised).

Past 400 lines: the reference implementation the bulk path is compared with lives in this file.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Cast, make_employee
from leave import calc, selectors, services
from leave.models import LeaveAccount, LeaveEntry, LeaveType
from leave.services.accrual import accrual_types, missing_accruals
from leave.services.ledger import lock_account
from leave.tests.conftest import D, d
from staff.models import Employee, Position
from tests.harness.util import run_together

_names = itertools.count(1)


# --- the reference: accrue() per employee, per account, which the bulk path must match --------------------------


def _reference_planned(
    *, timeline: calc.ServiceTimeline, up_to: dt.date, yearly_days: Decimal
) -> list[tuple[calc.ServiceMonth, Decimal]]:
    return [
        (month, calc.month_accrual(month.index, yearly_days))
        for month in timeline.months_due(up_to)
        if calc.month_accrual(month.index, yearly_days) != 0
    ]


@transaction.atomic
def _reference_account(
    *, employee: Employee, leave_type: LeaveType, timeline: calc.ServiceTimeline, up_to: dt.date, yearly_days: Decimal
) -> int:
    account = lock_account(employee=employee, leave_type=leave_type)
    posted = dict(
        LeaveEntry.objects.filter(account=account, kind=LeaveEntry.Kind.ACCRUAL).values_list("idempotency_key", "days")
    )
    posted_total = sum(posted.values(), Decimal(0))
    new_entries = []
    for month in timeline.months_due(up_to):
        key = f"accrual:{employee.pk}:{leave_type.code}:{month.index}"
        if key in posted:
            continue
        days = calc.cumulative_entitlement(month.index, yearly_days) - posted_total
        if days == 0:
            continue
        posted_total += days
        new_entries.append(
            LeaveEntry(
                account=account,
                kind=LeaveEntry.Kind.ACCRUAL,
                days=days,
                effective_date=month.counted_on,
                idempotency_key=key,
                period_start=month.start,
                period_end=month.end,
                comment=f"month {month.index} of service",
            )
        )
    LeaveEntry.objects.bulk_create(new_entries)
    return len(new_entries)


def reference_accrue(*, up_to: dt.date, employees: Iterable[Employee | int] | None = None) -> int:
    types = accrual_types()
    if not types:
        return 0
    people = Employee.objects.filter(hire_date__lte=up_to).select_related("position").order_by("pk")
    if employees is not None:
        people = people.filter(pk__in=[e.pk if isinstance(e, Employee) else int(e) for e in employees])
    people_list = list(people)
    ids = [e.pk for e in people_list]
    absences = selectors.service_absences(employee_ids=ids)
    posted_counts = {
        (row["account__employee_id"], row["account__leave_type_id"]): row["n"]
        for row in LeaveEntry.objects.filter(account__employee_id__in=ids, kind=LeaveEntry.Kind.ACCRUAL)
        .values("account__employee_id", "account__leave_type_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    created = 0
    for employee in people_list:
        timeline = selectors.timeline_for(employee=employee, absences=absences.get(employee.pk, []))
        for leave_type in types:
            yearly = selectors.yearly_entitlement(employee=employee, leave_type=leave_type)
            if yearly <= 0:
                continue
            planned = _reference_planned(timeline=timeline, up_to=up_to, yearly_days=yearly)
            if len(planned) <= posted_counts.get((employee.pk, leave_type.pk), 0):
                continue
            created += _reference_account(
                employee=employee, leave_type=leave_type, timeline=timeline, up_to=up_to, yearly_days=yearly
            )
    return created


# --- scenarios ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    hire: dt.date
    unpaid: tuple[tuple[dt.date, dt.date], ...] = ()
    cancelled_unpaid: tuple[tuple[dt.date, dt.date], ...] = ()
    termination: dt.date | None = None
    extra_days: Decimal = Decimal(0)
    position_days: Decimal | None = None  # a position of its own with these additional days
    adjustment: Decimal | None = None  # an HR adjustment entry in the ledger before accrual


@dataclass
class Twins:
    person: Person
    reference: Employee
    bulk: Employee
    position: Position | None = None


def _make_one(cast: Cast, person: Person, position: Position | None, label: str) -> Employee:
    employee = make_employee(
        username=f"{label}{next(_names)}", department=cast.sales, hire_date=person.hire, position=position
    )
    employee.extra_leave_days = person.extra_days
    employee.termination_date = person.termination
    employee.save()
    for start, end in person.unpaid:
        services.absence_record(employee=employee, kind="unpaid", start_date=start, end_date=end)
    for start, end in person.cancelled_unpaid:
        request_id = 900_000 + next(_names)
        services.absence_record(employee=employee, kind="unpaid", start_date=start, end_date=end, request_id=request_id)
        services.absence_cancel(request_id=request_id)
    if person.adjustment is not None:
        services.leave_adjust(
            employee=employee,
            leave_type="annual",
            days=person.adjustment,
            actor=None,
            comment="correction",
            idempotency_key=f"{employee.pk}:correction",  # ledger() takes the id out of the key
            effective_date=person.hire,
        )
    return employee


def make_twins(cast: Cast, person: Person) -> Twins:
    position = None
    if person.position_days is not None:
        position = Position.objects.create(name=f"position {next(_names)}", extra_leave_days=person.position_days)
    return Twins(
        person=person,
        reference=_make_one(cast, person, position, "ref"),
        bulk=_make_one(cast, person, position, "bulk"),
        position=position,
    )


def ledger(employee: Employee) -> list[tuple[object, ...]]:
    """Every entry of the employee in insertion order per account, the employee id taken out of the key."""
    return [
        (
            e.account.leave_type.code,
            e.kind,
            e.idempotency_key.replace(f":{employee.pk}:", ":"),
            e.days,
            e.effective_date,
            e.period_start,
            e.period_end,
            e.comment,
            e.request_id,
        )
        for e in LeaveEntry.objects.filter(account__employee=employee)
        .select_related("account__leave_type")
        .order_by("account__leave_type__code", "id")
    ]


def run_both(twins: list[Twins], up_to: dt.date, batch_size: int) -> None:
    """Accrue the reference twins the old way and the bulk twins the new way; both write the same."""
    expected = reference_accrue(up_to=up_to, employees=[t.reference for t in twins])
    batches = list(services.accrue_batches(up_to=up_to, employees=[t.bulk for t in twins], batch_size=batch_size))
    assert sum(b.created for b in batches) == expected
    assert sum(b.employees for b in batches) == len([t for t in twins if t.bulk.hire_date <= up_to])
    for pair in twins:
        assert ledger(pair.bulk) == ledger(pair.reference), pair.person
    assert_totals_match_the_entries(t.bulk for t in twins)


PEOPLE = [
    Person(hire=d("2023-01-09")),
    Person(hire=d("2022-01-31")),  # month ends clip: 28 Feb, 31 Mar, …
    Person(hire=d("2024-02-29")),
    Person(hire=d("2021-03-01"), extra_days=D(3)),
    Person(hire=d("2023-06-15"), position_days=D(7)),
    Person(hire=d("2023-08-20"), extra_days=D("2.5"), position_days=D(14)),
    Person(hire=d("2024-01-01"), unpaid=((d("2024-03-01"), d("2024-03-30")),)),  # 16 days excluded
    Person(hire=d("2023-05-10"), unpaid=((d("2023-06-01"), d("2023-06-10")),)),  # within 14: no shift
    Person(  # two leaves in one working year: the 15th unpaid day is the first excluded
        hire=d("2022-09-01"), unpaid=((d("2022-10-03"), d("2022-10-12")), (d("2023-02-06"), d("2023-02-20")))
    ),
    Person(  # across working years, and one starting before the hire
        hire=d("2022-04-11"),
        unpaid=(
            (d("2022-04-01"), d("2022-04-30")),
            (d("2023-04-03"), d("2023-05-31")),
            (d("2025-01-13"), d("2025-02-28")),
        ),
        extra_days=D(5),
    ),
    Person(hire=d("2024-07-01"), cancelled_unpaid=((d("2024-08-01"), d("2024-09-30")),)),
    Person(hire=d("2024-01-01"), termination=d("2024-05-10")),  # 1–10 May less than half a month
    Person(hire=d("2024-01-01"), termination=d("2024-05-15")),  # 1–15 May: half a month, counts
    Person(hire=d("2025-03-03"), termination=d("2025-03-12")),  # never half a month
    Person(hire=d("2023-02-01"), termination=d("2025-08-31"), unpaid=((d("2024-05-06"), d("2024-06-28")),)),
    Person(hire=d("2023-11-30"), adjustment=D("-3.5"), position_days=D(0)),
    Person(hire=d("2025-12-31"), extra_days=D("0.12")),  # exactly 0.01 a month: the smallest that never adds 0.00
    Person(hire=d("2026-05-20")),  # not hired yet at the first dates
]


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [1, 4, 250])
def test_bulk_path_writes_the_reference_ledger(cast: Cast, leave_types: dict[str, LeaveType], batch_size: int) -> None:
    twins = [make_twins(cast, person) for person in PEOPLE]
    # Out of order, repeated, and with changes between runs, as the beat task and HR would make them.
    run_both(twins, d("2024-06-30"), batch_size)
    run_both(twins, d("2023-01-01"), batch_size)
    # A position's additional days go up: the next posted month absorbs the difference.
    for pair in twins:
        if pair.position is not None:
            Position.objects.filter(pk=pair.position.pk).update(extra_leave_days=pair.position.extra_leave_days + 4)
    run_both(twins, d("2025-03-16"), batch_size)
    run_both(twins, d("2025-03-16"), batch_size)
    # Unpaid leave recorded late (after its months were posted) shifts only what is still to post.
    for pair in twins[:5]:
        for employee in (pair.reference, pair.bulk):
            services.absence_record(
                employee=employee, kind="unpaid", start_date=d("2025-01-06"), end_date=d("2025-02-28")
            )
    run_both(twins, d("2026-11-30"), batch_size)
    run_both(twins, d("2027-07-31"), batch_size)
    # The scenarios do post: something for nearly everyone, additional leave for those who have it.
    accrual = LeaveEntry.objects.filter(kind="accrual", account__employee__in=[t.bulk for t in twins])
    assert accrual.values("account__employee").distinct().count() == len(PEOPLE) - 1
    assert accrual.filter(account__leave_type__code="additional").exists()


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    hire=st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2025, 12, 31)),
    unpaid=st.lists(
        st.tuples(st.integers(min_value=-30, max_value=1200), st.integers(min_value=0, max_value=60)), max_size=4
    ),
    termination=st.none() | st.integers(min_value=0, max_value=1500),
    extra_days=st.sampled_from([D(0), D(0), D(3), D("2.5"), D(14)]),
    offsets=st.lists(st.integers(min_value=-60, max_value=1600), min_size=1, max_size=4),
    batch_size=st.integers(min_value=1, max_value=3),
)
def test_bulk_path_matches_the_reference_for_drawn_employees(
    cast: Cast,
    leave_types: dict[str, LeaveType],
    hire: dt.date,
    unpaid: list[tuple[int, int]],
    termination: int | None,
    extra_days: Decimal,
    offsets: list[int],
    batch_size: int,
) -> None:
    periods = tuple(
        (hire + dt.timedelta(days=start), hire + dt.timedelta(days=start + length)) for start, length in unpaid
    )
    person = Person(
        hire=hire,
        unpaid=periods,
        termination=None if termination is None else hire + dt.timedelta(days=termination),
        extra_days=extra_days,
    )
    twins = [make_twins(cast, person), make_twins(cast, Person(hire=hire + dt.timedelta(days=17)))]
    for offset in offsets:
        run_both(twins, hire + dt.timedelta(days=offset), batch_size)


def test_missing_accruals_is_pure_and_absorbs_a_change_of_yearly_days() -> None:
    first_six = missing_accruals(
        employee_id=7, leave_type_code="annual", counted=6, yearly_days=D(28), accrued_months=0, accrued_days=D(0)
    )
    assert [p.days for p in first_six] == [D("2.33"), D("2.34"), D("2.33"), D("2.33"), D("2.34"), D("2.33")]
    posted = sum(p.days for p in first_six)
    # The yearly days went from 28 to 31: month 7 takes the cumulative 31 × 7/12 = 18.08 minus the 14.00 posted.
    rest = missing_accruals(
        employee_id=7, leave_type_code="annual", counted=12, yearly_days=D(31), accrued_months=6, accrued_days=posted
    )
    assert [p.key for p in rest] == [f"accrual:7:annual:{k}" for k in range(7, 13)]
    assert rest[0].days == D("4.08")
    assert posted + sum(p.days for p in rest) == D(31)
    # Nothing after the last month posted: nothing planned, whatever the totals.
    assert (
        missing_accruals(
            employee_id=7, leave_type_code="annual", counted=12, yearly_days=D(31), accrued_months=12, accrued_days=D(1)
        )
        == []
    )


def assert_totals_match_the_entries(employees: Iterable[Employee]) -> None:
    """Each account's kept totals are its accrual entries' last month and sum."""
    for account in LeaveAccount.objects.filter(employee__in=list(employees)):
        entries = list(
            LeaveEntry.objects.filter(account=account, kind=LeaveEntry.Kind.ACCRUAL).values_list(
                "idempotency_key", "days"
            )
        )
        last = max((int(key.rsplit(":", 1)[1]) for key, _ in entries), default=0)
        assert (account.accrued_months, account.accrued_days) == (last, sum((days for _, days in entries), D(0))), (
            account
        )


@pytest.mark.django_db
def test_a_batch_holds_at_least_one_employee(leave_types: dict[str, LeaveType]) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        next(services.accrue_batches(up_to=d("2026-01-01"), batch_size=0))


# --- idempotency ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_running_twice_adds_nothing_and_writes_nothing(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    people = [make_twins(cast, person).bulk for person in PEOPLE]
    first = services.accrue(up_to=d("2026-03-01"), employees=people)
    assert first > 0
    before = list(LeaveEntry.objects.order_by("id").values_list("id", "idempotency_key", "days"))
    with CaptureQueriesContext(connection) as queries:
        assert services.accrue(up_to=d("2026-03-01"), employees=people) == 0
    assert list(LeaveEntry.objects.order_by("id").values_list("id", "idempotency_key", "days")) == before
    # Up to date: the second run reads, and neither locks nor inserts anything.
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "FOR UPDATE" not in sql
    assert "INSERT" not in sql
    assert "SAVEPOINT" not in sql


# Yearly days below 0.12 earn less than a hundredth some months: those months add 0.00 and post nothing.
TINY = [
    Person(hire=d("2025-12-31"), extra_days=D("0.05")),
    Person(hire=d("2024-03-31"), extra_days=D("0.01"), unpaid=((d("2024-06-03"), d("2024-07-31")),)),
]


@pytest.mark.django_db
def test_earlier_then_later_gives_the_later_ledger(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    # `reference` twins are accrued by the bulk path too here: directly at the last date, the others step by step.
    pairs = [make_twins(cast, person) for person in PEOPLE + TINY]
    last = d("2027-09-30")
    for day in [d("2023-05-01"), d("2024-02-10"), d("2024-02-10"), d("2026-04-30"), d("2026-08-14"), last]:
        services.accrue(up_to=day, employees=[t.bulk for t in pairs])
    services.accrue(up_to=last, employees=[t.reference for t in pairs])
    for pair in pairs:
        assert ledger(pair.bulk) == ledger(pair.reference), pair.person
    assert_totals_match_the_entries([p for t in pairs for p in (t.bulk, t.reference)])
    # And the posted ledger is what the balance projected, to the cent.
    for pair in pairs:
        for code in ("annual", "additional"):
            posted = sum((e[3] for e in ledger(pair.bulk) if e[0] == code), D(0))
            assert selectors.balance(employee=pair.bulk, leave_type=code, on=last).accrued == posted, pair.person
    assert LeaveEntry.objects.filter(kind="accrual", days__lt=0).exists() is False


@pytest.mark.django_db
def test_a_month_that_added_nothing_is_not_posted_later(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    """Months adding 0.00 stay unposted: the per-employee path posted them later as corrections of their own."""
    pair = make_twins(cast, TINY[0])  # 0.05 a year, hired 31 Dec 2025
    for day in [d("2026-03-01"), d("2026-05-01")]:
        reference_accrue(up_to=day, employees=[pair.reference])
        services.accrue(up_to=day, employees=[pair.bulk])
    # Four months by 1 May; the cumulative 0.05 × n / 12 is 0.00, 0.01, 0.01, 0.02: months 2 and 4 add 0.01.
    bulk = [(e[2], e[3]) for e in ledger(pair.bulk) if e[0] == "additional"]
    assert bulk == [("accrual:additional:2", D("0.01")), ("accrual:additional:4", D("0.01"))]
    # The old path, run on 1 March and again on 1 May, posted month 1 late as −0.01 and month 3 as +0.01.
    reference = [(e[2], e[3]) for e in ledger(pair.reference) if e[0] == "additional"]
    assert sorted(reference) == sorted(
        [*bulk, ("accrual:additional:1", D("-0.01")), ("accrual:additional:3", D("0.01"))]
    )


@pytest.mark.django_db
def test_a_cut_of_the_yearly_days_absorbed_to_the_cent_keeps_the_balance(
    cast: Cast, leave_types: dict[str, LeaveType]
) -> None:
    """Additional leave 14 → 12 days a year after six months: month 7 adds 12 × 7/12 − 7.00 = 0.00."""
    pair = make_twins(cast, Person(hire=d("2024-01-01"), position_days=D(14)))
    assert pair.position is not None
    for accrue in (reference_accrue, services.accrue):
        employee = pair.reference if accrue is reference_accrue else pair.bulk
        accrue(up_to=d("2024-06-30"), employees=[employee])
    Position.objects.filter(pk=pair.position.pk).update(extra_leave_days=D(12))
    for day in [d("2024-08-31"), d("2024-08-31"), d("2024-09-01")]:
        reference_accrue(up_to=day, employees=[pair.reference])
        services.accrue(up_to=day, employees=[pair.bulk])

    def additional(employee: Employee) -> Decimal:
        return sum((e[3] for e in ledger(employee) if e[0] == "additional"), D(0))

    # Eight months at 12 a year: 8.00, posted as 7.00 for months 1–6 and 1.00 for month 8.
    assert additional(pair.bulk) == D("8.00")
    fresh = Employee.objects.select_related("position").get(pk=pair.bulk.pk)  # the position's new days
    assert selectors.balance(employee=fresh, leave_type="additional", on=d("2024-09-01")).accrued == D("8.00")
    # The reference's second run posts month 7 late as −1.00 and loses the day until month 9 is posted.
    assert additional(pair.reference) == D("7.00")


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_employees_in_a_batch(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    def queries_for(count: int) -> int:
        people = [make_twins(cast, Person(hire=d("2023-01-09"), extra_days=D(3))).bulk for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert services.accrue(up_to=d("2026-01-09"), employees=people) == count * 2 * 36
        # The entries go in multi-row INSERTs whose size the backend caps (SQLite: 999 parameters); the rest is fixed.
        return len(
            [
                q
                for q in captured.captured_queries
                if not (q["sql"].startswith("INSERT") and '"leave_leaveentry"' in q["sql"][:40])
            ]
        )

    assert queries_for(3) == queries_for(12)


# --- the command ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_shows_progress_only_when_asked_or_on_a_terminal(
    cast: Cast, leave_types: dict[str, LeaveType], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("accrue_leave", "--date", "2023-03-01")
    captured = capsys.readouterr()
    assert "new entries" in captured.out
    assert "accrue_leave" not in captured.err  # stdout is not a terminal here: no bar
    call_command("accrue_leave", "--date", "2023-06-01", "--progress")
    captured = capsys.readouterr()
    hired = Employee.objects.filter(hire_date__lte=d("2023-06-01")).count()
    assert "accrue_leave" in captured.err
    assert f"/{hired} " in captured.err  # the bar knows the number of employees
    assert "Leave accrued up to 2023-06-01: 27 new entries." in captured.out  # 3 more months for the 9 of the cast


# --- concurrency (PostgreSQL) -----------------------------------------------------------------------------------

THREADS = 6


def _run_at_once(work: Callable[[int], int]) -> list[Any]:
    """`work(0..THREADS-1)` run at once: each result, or the exception it raised."""
    return run_together([partial(work, index) for index in range(THREADS)])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
def test_concurrent_runs_with_different_batches_neither_deadlock_nor_duplicate(
    cast: Cast, leave_types: dict[str, LeaveType]
) -> None:
    twins = [make_twins(cast, PEOPLE[i % len(PEOPLE)]) for i in range(30)]
    people = [t.bulk for t in twins]

    def accrue(index: int) -> int:
        # Different batch boundaries and subsets (overlapping, in either order): the locks are always taken in id order.
        subset = people[index % 3 :] if index % 2 else list(reversed(people))
        return sum(
            b.created for b in services.accrue_batches(up_to=d("2026-06-30"), employees=subset, batch_size=4 + index)
        )

    results = _run_at_once(accrue)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == LeaveEntry.objects.filter(kind="accrual", account__employee__in=people).count()
    reference_accrue(up_to=d("2026-06-30"), employees=[t.reference for t in twins])
    for pair in twins:
        assert ledger(pair.bulk) == ledger(pair.reference), pair.person
    assert_totals_match_the_entries(people)
