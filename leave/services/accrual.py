"""Accrual: post each counted month of service once (28/12 a month, rule 35, art. 121)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from leave import calc, selectors
from leave.models import LeaveEntry, LeaveType
from leave.services.ledger import lock_account
from staff.models import Employee

logger = logging.getLogger(__name__)


def accrual_types() -> list[LeaveType]:
    return [
        t
        for t in LeaveType.objects.filter(needs_balance=True, active=True)
        if t.yearly_entitlement > 0 or t.adds_personal_days
    ]


def _planned_accruals(
    *, timeline: calc.ServiceTimeline, up_to: dt.date, yearly_days: Decimal
) -> list[tuple[calc.ServiceMonth, Decimal]]:
    return [
        (month, calc.month_accrual(month.index, yearly_days))
        for month in timeline.months_due(up_to)
        if calc.month_accrual(month.index, yearly_days) != 0
    ]


@transaction.atomic
def _accrue_account(
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
        # Month k adds the rounded cumulative figure minus what is posted: 12 months give exactly 28.00,
        # and a change of the yearly days is absorbed by the next month instead of drifting.
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


def accrue(*, up_to: dt.date, employees: Iterable[Employee | int] | None = None) -> int:
    """Post every month of service counted by `up_to` that is not posted yet. Returns entries written.

    Idempotent (one key per employee, type and month), catches up any missed months, and safe to run
    for dates out of order: a month already posted is skipped, a later date only adds later months.
    Each account is its own transaction, so a long run never holds many locks.
    """
    types = accrual_types()
    if not types:
        return 0
    people = Employee.objects.filter(hire_date__lte=up_to).select_related("position").order_by("pk")
    if employees is not None:
        people = people.filter(pk__in=[e.pk if isinstance(e, Employee) else int(e) for e in employees])
    people_list = list(people)
    ids = [e.pk for e in people_list]
    unpaid = selectors.unpaid_periods(employee_ids=ids)
    # Skip, without locking, the accounts whose posted months already cover everything due.
    posted_counts = {
        (row["account__employee_id"], row["account__leave_type_id"]): row["n"]
        for row in LeaveEntry.objects.filter(account__employee_id__in=ids, kind=LeaveEntry.Kind.ACCRUAL)
        .values("account__employee_id", "account__leave_type_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    created = 0
    for employee in people_list:
        timeline = selectors.timeline_for(employee=employee, unpaid=unpaid.get(employee.pk, []))
        for leave_type in types:
            yearly = selectors.yearly_entitlement(employee=employee, leave_type=leave_type)
            if yearly <= 0:
                continue
            planned = _planned_accruals(timeline=timeline, up_to=up_to, yearly_days=yearly)
            if len(planned) <= posted_counts.get((employee.pk, leave_type.pk), 0):
                continue
            created += _accrue_account(
                employee=employee, leave_type=leave_type, timeline=timeline, up_to=up_to, yearly_days=yearly
            )
    logger.info("leave accrued up to %s: %s entries", up_to, created)
    return created
