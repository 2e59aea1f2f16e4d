"""`seed_leave_history [--date YYYY-MM-DD]`: demo leave history under the working-year model. Idempotent.

seed_demo creates people hired years ago with no leave taken; under art. 122 each of their working years grants
its whole leave, so they would show years of unused days and art. 124 breaches. This records, for every active
employee, the leave of their earlier working years as taken before the portal — one negative HR adjustment
("opening balance") effective on the current working year's start — leaving a deterministic carry-over of
0, 3, 6 or 9 days of the previous year (by employee id). Run again, it adds only what newly closed years need.
Written in bulk (the entries `leave.services.leave_adjust` would write, under its keys): seed_demo runs it for
every employee of the company.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from leave import calc, selectors
from leave.models import LeaveAccount, LeaveEntry, LeaveType
from staff.models import Employee

CARRY_OVER_STEPS = (Decimal(0), Decimal(3), Decimal(6), Decimal(9))


class Command(BaseCommand):
    help = "Record demo leave taken before the portal for earlier working years (leaving some carry-over)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD.") from None
        people = list(
            Employee.objects.filter(hire_date__lte=on)
            .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=on))
            .select_related("position")
            .order_by("pk")
        )
        with transaction.atomic():
            written = self._write(people, on)
        self.stdout.write(self.style.SUCCESS(f"Demo leave history up to {on.isoformat()}: {written} entries."))

    def _write(self, people: list[Employee], on: dt.date) -> int:
        """In bulk: three reads for everyone, then the accounts still missing and the entries in a few INSERTs
        (a service call per employee took most of seed_demo's time at 30,000 people). The entries are the ones
        `services.leave_adjust` writes, under the same keys."""
        absences = selectors.service_absences(employee_ids=[e.pk for e in people])
        types = selectors.balance_types()
        # What each account already holds toward the closed years: earlier demo history, and leave used.
        held: dict[tuple[int, int], list[tuple[str, dt.date, bool, Decimal]]] = defaultdict(list)
        for employee_id, type_id, kind, effective, comment, days in (
            LeaveEntry.objects.filter(account__employee__in=people, account__leave_type__in=types)
            .filter(Q(comment__startswith="Demo") | Q(kind=LeaveEntry.Kind.USE))
            .values_list("account__employee_id", "account__leave_type_id", "kind", "effective_date", "comment", "days")
        ):
            held[(employee_id, type_id)].append((kind, effective, comment.startswith("Demo"), days))
        accounts = {
            (e, t): pk
            for pk, e, t in LeaveAccount.objects.filter(employee__in=people).values_list(
                "pk", "employee_id", "leave_type_id"
            )
        }
        planned: list[tuple[int, LeaveType, Decimal, dt.date]] = []
        for employee in people:
            timeline = selectors.timeline_for(employee=employee, absences=absences.get(employee.pk, []))
            years = calc.working_year.working_years_opened(timeline, on)
            if len(years) < 2:
                continue
            for leave_type in types:
                yearly = selectors.yearly_entitlement(employee=employee, leave_type=leave_type)
                if yearly <= 0:
                    continue
                carry = min(CARRY_OVER_STEPS[employee.pk % len(CARRY_OVER_STEPS)], yearly)
                taken = yearly * (len(years) - 1) - carry
                # Leave the request history (seed_request_history) already used in those years counts as taken.
                done = -sum(
                    (
                        days
                        for kind, effective, demo, days in held[(employee.pk, leave_type.pk)]
                        if demo or (kind == LeaveEntry.Kind.USE and effective < years[-1].start)
                    ),
                    Decimal(0),
                )
                if taken - done > 0:
                    planned.append((employee.pk, leave_type, -(taken - done), years[-1].start))
        missing = {(e, t.pk) for e, t, _, _ in planned} - set(accounts)
        for account in LeaveAccount.objects.bulk_create(
            [LeaveAccount(employee_id=e, leave_type_id=t) for e, t in sorted(missing)], batch_size=1000
        ):
            accounts[(account.employee_id, account.leave_type_id)] = account.pk
        # Keyed by employee, type and working year reached: a run in a later year adds the difference.
        entries = [
            LeaveEntry(
                account_id=accounts[(employee_id, leave_type.pk)],
                kind=LeaveEntry.Kind.ADJUSTMENT,
                days=days,
                effective_date=start,
                idempotency_key=f"adjustment:demo-history:{employee_id}:{leave_type.code}:{start.isoformat()}",
                comment=f"Demo: leave of working years before {start.isoformat()} taken earlier",
            )
            for employee_id, leave_type, days, start in planned
        ]
        LeaveEntry.objects.bulk_create(entries, batch_size=1000, ignore_conflicts=True)
        return len(entries)
