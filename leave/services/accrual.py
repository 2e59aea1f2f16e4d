"""Accrual: post each counted month of service once (28/12 a month, rule 35, art. 121).

Accrual runs in bulk: employees are taken in batches, and each batch is one transaction that creates
the accounts it needs, locks them with one `SELECT … FOR UPDATE` ordered by id, reads their posted
accrual entries in one query, plans the missing months in Python (`missing_accruals`, no database)
and inserts them with `bulk_create` in chunks: a dozen queries per batch instead of four per account.
A first run over 5,000 employees (431k entries) takes ~45 s on PostgreSQL and ~65 s on SQLite here,
against 2–4 minutes one account at a time (docs/decisions/staff-seed-demo.md); a routine run, with
a month or nothing to post, writes in milliseconds per batch and spends its ~5 s on the timelines.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from leave import calc, selectors
from leave.models import LeaveAccount, LeaveEntry, LeaveType
from staff.models import Employee

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
    key: str
    days: Decimal
    month: calc.ServiceMonth


def missing_accruals(
    *,
    employee_id: int,
    leave_type_code: str,
    months: Sequence[calc.ServiceMonth],
    yearly_days: Decimal,
    posted: Mapping[str, Decimal],
) -> list[PlannedAccrual]:
    """The accrual entries one account still needs (pure: no database).

    `months` are the months of service counted so far, `posted` the account's accrual entries
    (idempotency key → days). Only months after the last posted one are planned.
    """
    posted_total = sum(posted.values(), Decimal(0))
    # Months are posted in order, so every month up to the last posted one is settled, including one that
    # was skipped for adding 0.00 (yearly days below 0.12, or a cut of the yearly days absorbed to the cent).
    # Posting such a month later would write a correction of its own (−0.01, −1.00, …) and make the ledger
    # depend on the dates accrual happened to run; a concurrent run that read stale counts would do the same.
    prefix = accrual_key(employee_id=employee_id, leave_type_code=leave_type_code, month_index=0)[:-1]
    settled = max((int(key[len(prefix) :]) for key in posted if _is_month_key(key, prefix)), default=0)
    planned = []
    for month in months:
        key = accrual_key(employee_id=employee_id, leave_type_code=leave_type_code, month_index=month.index)
        if month.index <= settled or key in posted:
            continue
        # Month k adds the rounded cumulative figure minus what is posted: 12 months give exactly 28.00,
        # and a change of the yearly days is absorbed by the next month instead of drifting.
        days = calc.cumulative_entitlement(month.index, yearly_days) - posted_total
        if days == 0:
            continue
        posted_total += days
        planned.append(PlannedAccrual(key=key, days=days, month=month))
    return planned


def _is_month_key(key: str, prefix: str) -> bool:
    return key.startswith(prefix) and key[len(prefix) :].isdigit()


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
    months: list[calc.ServiceMonth]
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
        Employee.objects.filter(pk__in=employee_ids, hire_date__lte=up_to).select_related("position").order_by("pk")
    )
    absences = selectors.service_absences(employee_ids=employee_ids)
    posted_counts = {
        (row["account__employee_id"], row["account__leave_type_id"]): row["n"]
        for row in LeaveEntry.objects.filter(account__employee_id__in=employee_ids, kind=LeaveEntry.Kind.ACCRUAL)
        .values("account__employee_id", "account__leave_type_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    plans: list[_AccountPlan] = []
    for employee in people:
        months: list[calc.ServiceMonth] | None = None
        for leave_type in types:
            yearly = selectors.yearly_entitlement(employee=employee, leave_type=leave_type)
            if yearly <= 0:
                continue
            if months is None:
                timeline = selectors.timeline_for(employee=employee, absences=absences.get(employee.pk, []))
                months = timeline.months_due(up_to)
            # Skip, without locking, the accounts whose posted months already cover every month that adds days.
            adding = sum(1 for month in months if calc.month_accrual(month.index, yearly) != 0)
            if adding <= posted_counts.get((employee.pk, leave_type.pk), 0):
                continue
            plans.append(_AccountPlan(employee=employee, leave_type=leave_type, months=months, yearly_days=yearly))
    if not plans:
        return 0
    return _post(plans=plans)


@transaction.atomic
def _post(*, plans: list[_AccountPlan]) -> int:
    """One batch's transaction: lock its accounts, read what they hold, insert what is missing."""
    accounts = _lock_accounts(pairs=[(plan.employee.pk, plan.leave_type.pk) for plan in plans])
    account_ids = sorted(account.pk for account in accounts.values())
    # Read under the locks: what another run posted before we got them is skipped, not written twice.
    posted: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for account_id, key, days in LeaveEntry.objects.filter(
        account_id__in=account_ids, kind=LeaveEntry.Kind.ACCRUAL
    ).values_list("account_id", "idempotency_key", "days"):
        posted[account_id][key] = days
    entries = []
    for plan in plans:
        account = accounts[(plan.employee.pk, plan.leave_type.pk)]
        for item in missing_accruals(
            employee_id=plan.employee.pk,
            leave_type_code=plan.leave_type.code,
            months=plan.months,
            yearly_days=plan.yearly_days,
            posted=posted[account.pk],
        ):
            entries.append(
                LeaveEntry(
                    account_id=account.pk,
                    kind=LeaveEntry.Kind.ACCRUAL,
                    days=item.days,
                    effective_date=item.month.counted_on,
                    idempotency_key=item.key,
                    period_start=item.month.start,
                    period_end=item.month.end,
                    comment=f"month {item.month.index} of service",
                )
            )
    if not entries:
        return 0
    # Under the locks nobody else posts these keys; ignoring conflicts on the unique key is only a safety
    # net against a writer that did not lock (SQLite ignores FOR UPDATE), so the rows are counted, not assumed.
    LeaveEntry.objects.bulk_create(entries, batch_size=ENTRY_INSERT_CHUNK, ignore_conflicts=True)
    before = sum(len(keys) for keys in posted.values())
    return LeaveEntry.objects.filter(account_id__in=account_ids, kind=LeaveEntry.Kind.ACCRUAL).count() - before


def _lock_accounts(*, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], LeaveAccount]:
    """The accounts of (employee id, leave type id) pairs, created if missing, locked for the transaction."""
    wanted = set(pairs)
    scope = LeaveAccount.objects.filter(
        employee_id__in=sorted({employee_id for employee_id, _ in wanted}),
        leave_type_id__in=sorted({type_id for _, type_id in wanted}),
    )
    missing = sorted(wanted - set(scope.order_by().values_list("employee_id", "leave_type_id")))
    if missing:
        # In one sorted order, so that two runs creating the same accounts wait for each other rather than
        # deadlock; a conflict means another run created the account first, which is as good.
        LeaveAccount.objects.bulk_create(
            [LeaveAccount(employee_id=employee_id, leave_type_id=type_id) for employee_id, type_id in missing],
            ignore_conflicts=True,
        )
    # One statement locking the rows in id order: two batches sharing accounts queue instead of deadlocking,
    # and the ledger services (one account per transaction) wait for the batch to commit.
    locked = {(a.employee_id, a.leave_type_id): a for a in scope.select_for_update().order_by("pk")}
    return {pair: locked[pair] for pair in wanted}
