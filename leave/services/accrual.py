"""Accrual: post each counted month of service once (28/12 a month, rule 35, art. 121).

Accrual runs in bulk: employees are taken in batches, and each batch is one transaction that creates
the accounts it needs, locks them with one `SELECT … FOR UPDATE` ordered by id, plans the missing months in
Python (`missing_accruals`, no database) and inserts them with `bulk_create` in chunks: a dozen queries per
batch instead of four per account. Each account carries the last month posted and the days posted so far
(`LeaveAccount.accrued_months` / `accrued_days`, updated with the entries), so a monthly run reads one row per
account and builds only the months after the last posted one, not the account's whole history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import F, Prefetch

from leave import calc, selectors
from leave.models import LeaveAccount, LeaveEntry, LeaveType
from staff.models import Employee, Position

logger = logging.getLogger(__name__)

# Employees per transaction: a batch of 250 locks at most 500 accounts; on a first run it writes ~21k
# entries and holds the locks ~2 s, on a routine run milliseconds. Smaller batches cost more round trips,
# larger ones hold the locks longer (a leave request of one of those employees waits for the batch).
ACCRUAL_BATCH_EMPLOYEES = 250
# Rows per INSERT statement (SQLite caps it lower by its parameter limit).
ENTRY_INSERT_CHUNK = 2000


def accrual_types() -> list[LeaveType]:
    return [
        t
        for t in LeaveType.objects.filter(needs_balance=True, active=True)
        if t.yearly_entitlement > 0 or t.adds_personal_days
    ]


def accrual_key(*, employee_id: int, leave_type_code: str, month_index: int) -> str:
    """The idempotency key of one month's accrual: one entry per employee, leave type and month of service."""
    return f"accrual:{employee_id}:{leave_type_code}:{month_index}"


@dataclass(frozen=True)
class PlannedAccrual:
    index: int  # the month of service
    key: str
    days: Decimal


def missing_accruals(
    *,
    employee_id: int,
    leave_type_code: str,
    counted: int,
    yearly_days: Decimal,
    accrued_months: int,
    accrued_days: Decimal,
) -> list[PlannedAccrual]:
    """The accrual entries one account still needs (pure: no database).

    `counted` is the number of months of service counted so far; `accrued_months` the last month posted and
    `accrued_days` what the posted entries add up to. Only months after the last posted one are planned.
    """
    # Months are posted in order, so every month up to the last posted one is settled, including one that
    # was skipped for adding 0.00 (yearly days below 0.12, or a cut of the yearly days absorbed to the cent).
    # Posting such a month later would write a correction of its own (−0.01, −1.00, …) and make the ledger
    # depend on the dates accrual happened to run.
    posted_total = accrued_days
    planned = []
    for index in range(accrued_months + 1, counted + 1):
        # Month k adds the rounded cumulative figure minus what is posted: 12 months give exactly 28.00,
        # and a change of the yearly days is absorbed by the next month instead of drifting.
        days = calc.cumulative_entitlement(index, yearly_days) - posted_total
        if days == 0:
            continue
        posted_total += days
        key = accrual_key(employee_id=employee_id, leave_type_code=leave_type_code, month_index=index)
        planned.append(PlannedAccrual(index=index, key=key, days=days))
    return planned


@dataclass(frozen=True)
class AccrualBatch:
    """One committed batch of an accrual run (for progress reporting)."""

    employees: int  # employees in this batch
    employees_total: int  # employees in the whole run
    created: int  # entries this batch wrote


@dataclass(frozen=True)
class _AccountPlan:
    employee: Employee
    leave_type: LeaveType
    timeline: calc.ServiceTimeline
    counted: int  # months of service counted by the run's date
    yearly_days: Decimal


def accrue(*, up_to: dt.date, employees: Iterable[Employee | int] | None = None) -> int:
    """Post every month of service counted by `up_to` that is not posted yet. Returns entries written.

    Idempotent (one key per employee, type and month), catches up any missed months, and safe to run
    for dates out of order: months up to the last posted one are settled, a later date only adds later
    months. Each batch of employees is its own transaction, so a long run never holds locks for long.
    """
    return sum(batch.created for batch in accrue_batches(up_to=up_to, employees=employees))


def accrue_batches(
    *,
    up_to: dt.date,
    employees: Iterable[Employee | int] | None = None,
    batch_size: int = ACCRUAL_BATCH_EMPLOYEES,
) -> Iterator[AccrualBatch]:
    """`accrue`, one committed batch of employees at a time (in id order); yields after each batch.

    A caller that stops iterating leaves the remaining employees for the next run (accrual catches up).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    types = accrual_types()
    if not types:
        return
    people = Employee.objects.filter(hire_date__lte=up_to)
    if employees is not None:
        people = people.filter(pk__in=[e.pk if isinstance(e, Employee) else int(e) for e in employees])
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    total_created = 0
    for start in range(0, len(ids), batch_size):
        batch_ids = ids[start : start + batch_size]
        created = _accrue_batch(employee_ids=batch_ids, types=types, up_to=up_to)
        total_created += created
        logger.debug("leave accrual batch: employees %s–%s, %s entries", batch_ids[0], batch_ids[-1], created)
        yield AccrualBatch(employees=len(batch_ids), employees_total=len(ids), created=created)
    logger.info("leave accrued up to %s: %s entries for %s employees", up_to, total_created, len(ids))


def _accrue_batch(*, employee_ids: list[int], types: list[LeaveType], up_to: dt.date) -> int:
    people = (
        Employee.objects.filter(pk__in=employee_ids, hire_date__lte=up_to)
        .only("hire_date", "termination_date", "extra_leave_days", "position")
        .prefetch_related(Prefetch("position", queryset=Position.objects.only("extra_leave_days")))
        .order_by("pk")
    )
    absences = selectors.service_absences(employee_ids=employee_ids)
    accrued = {
        (employee_id, type_id): (months, days)
        for employee_id, type_id, months, days in LeaveAccount.objects.filter(employee_id__in=employee_ids)
        .order_by()
        .values_list("employee_id", "leave_type_id", "accrued_months", "accrued_days")
    }
    plans: list[_AccountPlan] = []
    for employee in people:
        timeline: calc.ServiceTimeline | None = None
        counted = 0
        for leave_type in types:
            yearly = selectors.yearly_entitlement(employee=employee, leave_type=leave_type)
            if yearly <= 0:
                continue
            if timeline is None:
                timeline = selectors.timeline_for(employee=employee, absences=absences.get(employee.pk, []))
                counted = timeline.months_counted(up_to)
            months, days = accrued.get((employee.pk, leave_type.pk), (0, Decimal(0)))
            # Skip, without locking, the accounts with nothing to post; the plan is made again under the lock.
            if not missing_accruals(
                employee_id=employee.pk,
                leave_type_code=leave_type.code,
                counted=counted,
                yearly_days=yearly,
                accrued_months=months,
                accrued_days=days,
            ):
                continue
            plans.append(
                _AccountPlan(
                    employee=employee, leave_type=leave_type, timeline=timeline, counted=counted, yearly_days=yearly
                )
            )
    if not plans:
        return 0
    return _post(plans=plans, opened=set(accrued))


@transaction.atomic
def _post(*, plans: list[_AccountPlan], opened: set[tuple[int, int]]) -> int:
    """One batch's transaction: lock its accounts, plan from what they hold, insert the entries and keep the totals.

    `opened`: the (employee, leave type) pairs whose account existed when the batch was read."""
    accounts = _lock_accounts(pairs=[(plan.employee.pk, plan.leave_type.pk) for plan in plans], opened=opened)
    entries = []
    # Accounts that move on by the same months and days share one UPDATE: a monthly run has a handful a batch
    # (2.33 or 2.34 days for 28 a year, one figure per additional-leave size), and each row is locked here.
    advances: dict[tuple[int, Decimal], list[int]] = defaultdict(list)
    for plan in plans:
        # Read under the lock: what another run posted before we got it is not planned again.
        account = accounts[(plan.employee.pk, plan.leave_type.pk)]
        planned = missing_accruals(
            employee_id=plan.employee.pk,
            leave_type_code=plan.leave_type.code,
            counted=plan.counted,
            yearly_days=plan.yearly_days,
            accrued_months=account.accrued_months,
            accrued_days=account.accrued_days,
        )
        for item in planned:
            month = plan.timeline.service_month(item.index)
            entries.append(
                LeaveEntry(
                    account_id=account.pk,
                    kind=LeaveEntry.Kind.ACCRUAL,
                    days=item.days,
                    effective_date=month.counted_on,
                    idempotency_key=item.key,
                    period_start=month.start,
                    period_end=month.end,
                    comment=f"month {item.index} of service",
                )
            )
        if planned:
            advance = (planned[-1].index - account.accrued_months, sum(item.days for item in planned))
            advances[advance].append(account.pk)
    if not entries:
        return 0
    # Under the locks nobody else posts these keys: a conflict on the unique key would be a writer that did
    # not lock, and fails the batch (rolled back, nothing half-written) instead of being skipped unseen.
    LeaveEntry.objects.bulk_create(entries, batch_size=ENTRY_INSERT_CHUNK)
    for (months, days), account_ids in advances.items():
        LeaveAccount.objects.filter(pk__in=account_ids).update(
            accrued_months=F("accrued_months") + months, accrued_days=F("accrued_days") + days
        )
    return len(entries)


class _Held(NamedTuple):
    """A locked account: what the batch needs of it."""

    pk: int
    accrued_months: int
    accrued_days: Decimal


def _lock_accounts(*, pairs: list[tuple[int, int]], opened: set[tuple[int, int]]) -> dict[tuple[int, int], _Held]:
    """The accounts of (employee id, leave type id) pairs, created if not in `opened`, locked for the transaction."""
    wanted = set(pairs)
    scope = LeaveAccount.objects.filter(
        employee_id__in=sorted({employee_id for employee_id, _ in wanted}),
        leave_type_id__in=sorted({type_id for _, type_id in wanted}),
    )
    missing = sorted(wanted - opened)
    if missing:
        # In one sorted order, so that two runs creating the same accounts wait for each other rather than
        # deadlock; a conflict means another run created the account first, which is as good.
        LeaveAccount.objects.bulk_create(
            [LeaveAccount(employee_id=employee_id, leave_type_id=type_id) for employee_id, type_id in missing],
            ignore_conflicts=True,
        )
    # One statement locking the rows in id order: two batches sharing accounts queue instead of deadlocking,
    # and the ledger services (one account per transaction) wait for the batch to commit.
    locked = {
        (employee_id, type_id): _Held(pk, months, days)
        for pk, employee_id, type_id, months, days in scope.select_for_update()
        .order_by("pk")
        .values_list("pk", "employee_id", "leave_type_id", "accrued_months", "accrued_days")
    }
    return {pair: locked[pair] for pair in wanted}
