"""`seed_leave_history [--date YYYY-MM-DD]`: demo leave history under the working-year model. Idempotent.

seed_demo creates people hired years ago with no leave taken; under art. 122 each of their working years grants
its whole leave, so they would show years of unused days and art. 124 breaches. This records, for every active
employee, the leave of their earlier working years as taken before the portal — one negative HR adjustment
("opening balance") effective on the current working year's start — leaving a deterministic carry-over of
0, 3, 6 or 9 days of the previous year (by employee id). Run again, it adds only what newly closed years need.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from leave import calc, selectors, services
from leave.models import LeaveEntry
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
        absences = selectors.service_absences(employee_ids=[e.pk for e in people])
        written = 0
        for employee in people:
            timeline = selectors.timeline_for(employee=employee, absences=absences.get(employee.pk, []))
            years = calc.working_year.working_years_opened(timeline, on)
            if len(years) < 2:
                continue
            for leave_type in selectors.balance_types():
                yearly = selectors.yearly_entitlement(employee=employee, leave_type=leave_type)
                if yearly <= 0:
                    continue
                carry = min(CARRY_OVER_STEPS[employee.pk % len(CARRY_OVER_STEPS)], yearly)
                taken = yearly * (len(years) - 1) - carry
                # Keyed by employee, type and working year reached: a run in a later year adds the difference.
                # Leave the request history (seed_request_history) already used in those years counts as taken.
                done = -sum(
                    (
                        e.days
                        for e in selectors.ledger(employee=employee, leave_type=leave_type)
                        if e.comment.startswith("Demo")
                        or (e.kind == LeaveEntry.Kind.USE and e.effective_date < years[-1].start)
                    ),
                    Decimal(0),
                )
                if taken - done <= 0:
                    continue
                services.leave_adjust(
                    employee=employee,
                    leave_type=leave_type,
                    days=-(taken - done),
                    actor=None,
                    comment=f"Demo: leave of working years before {years[-1].start.isoformat()} taken earlier",
                    idempotency_key=f"demo-history:{employee.pk}:{leave_type.code}:{years[-1].start.isoformat()}",
                    effective_date=years[-1].start,
                )
                written += 1
        self.stdout.write(self.style.SUCCESS(f"Demo leave history up to {on.isoformat()}: {written} entries."))
