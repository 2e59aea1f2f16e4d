"""`seed_requests [--date YYYY-MM-DD]`: a believable request history for the demo logins' teams. Idempotent.

seed_demo (staff) calls it by name after the leave history, so that the dashboard, the approvals inbox and the team
calendar of the demo logins show something on the first login: requests of every kind, a few in each status —
leave taken earlier this year and last year, leave and trips pending with the manager, an approved leave this
week, a rejected certificate, a cancelled trip, an approved leave whose cancellation the employee asked for, a
pay-rate change waiting for HR, the manager's own leave waiting for their boss. Everything goes through the
services (history, ledger, absences and the outbox), as if people had used the portal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from hrportal.errors import ApplicationError
from leave.models import LeaveType
from requests_app import services
from requests_app.models import Request
from staff import access
from staff.models import Employee
from staff.selectors import current_rate


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class Command(BaseCommand):
    help = "File demo requests of every kind and status for the demo logins' teams (skipped when present)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD.") from None
        people = {
            p.user.username: p
            for p in Employee.objects.select_related("user", "department").filter(
                user__username__in=["employee", "manager", "hr", "outsider"]
            )
        }
        if set(people) != {"employee", "manager", "hr", "outsider"}:
            self.stdout.write("No demo logins: no demo requests.")
            return
        if Request.objects.filter(employee=people["employee"]).exists():
            self.stdout.write("Demo requests are already present: nothing added.")
            return
        # The manager's reports (their department first, then the subtree below it).
        team = list(
            Employee.objects.filter(
                department__path__startswith=people["manager"].department.path, termination_date__isnull=True
            )
            .exclude(pk__in=[people["manager"].pk, people["employee"].pk])
            .select_related("user", "department")
            .order_by("department__path", "pk")[:4]
        )
        with transaction.atomic():
            filed = self._file(today, people, team)
        self.stdout.write(self.style.SUCCESS(f"Demo requests filed: {filed}."))

    def _file(self, today: dt.date, people: dict[str, Employee], team: list[Employee]) -> int:
        employee, manager, hr = people["employee"], people["manager"], people["hr"]
        boss = access.manager_of(manager)
        annual = LeaveType.objects.get(code="annual")
        unpaid = LeaveType.objects.get(code="unpaid")
        week = _monday(today)
        count = 0

        def attempt(step: Callable[[], Any]) -> Any:
            """One filing or decision; a demo person whose dates do not fit (a recent hire) is skipped."""
            nonlocal count
            try:
                with transaction.atomic():
                    result = step()
            except ApplicationError as exc:
                self.stdout.write(f"  skipped: {exc}")
                return None
            count += 1
            return result

        def leave(person: Employee, start: dt.date, days: int, leave_type: LeaveType = annual, **extra: Any) -> Any:
            return attempt(
                lambda: services.request_create(
                    actor=person.user,
                    kind=Request.Kind.LEAVE,
                    leave_type=leave_type,
                    start_date=start,
                    end_date=start + dt.timedelta(days=days - 1),
                    **extra,
                )
            )

        def trip(person: Employee, start: dt.date, days: int, destination: str, purpose: str) -> Any:
            return attempt(
                lambda: services.request_create(
                    actor=person.user,
                    kind=Request.Kind.BUSINESS_TRIP,
                    start_date=start,
                    end_date=start + dt.timedelta(days=days - 1),
                    destination=destination,
                    purpose=purpose,
                )
            )

        def approve(request: Request | None, actor: Employee) -> None:
            if request is not None:
                attempt(lambda: services.request_approve(request_id=request.pk, actor=actor.user, comment=""))

        # The employee: last summer's leave (approved, filed after the fact), a trip this spring, a rejected
        # certificate, a cancelled trip, an approved leave whose cancellation they asked for, a pending leave.
        approve(leave(employee, dt.date(today.year - 1, 7, 7), 14, comment="Отпуск летом"), manager)
        approve(trip(employee, week - dt.timedelta(days=60), 3, "Казань", "Переговоры с поставщиком"), manager)
        cert = attempt(
            lambda: services.request_create(
                actor=employee.user, kind=Request.Kind.CERTIFICATE, certificate_type="employment", copies=2
            )
        )
        if cert is not None:
            attempt(lambda: services.request_reject(request_id=cert.pk, actor=hr.user, comment="Уже выдана"))
        cancelled = trip(employee, week + dt.timedelta(days=21), 2, "Тверь", "Аудит склада")
        if cancelled is not None:
            attempt(lambda: services.request_cancel(request_id=cancelled.pk, actor=employee.user))
        asked = leave(employee, week + dt.timedelta(days=35), 5, comment="Семейные дела")
        approve(asked, manager)
        if asked is not None:
            attempt(lambda: services.request_cancel(request_id=asked.pk, actor=employee.user, comment="Перенесли"))
        leave(employee, week + dt.timedelta(days=56), 7, comment="Отпуск")
        trip(employee, week + dt.timedelta(days=42), 2, "Екатеринбург", "Обучение на площадке клиента")

        # The manager's team: one away this week (the calendar), pending leave, a trip and a statutory unpaid
        # leave waiting in the manager's inbox.
        for index, person in enumerate(team):
            if index == 0:
                approve(leave(person, week, 5), manager)
            elif index == 1:
                leave(person, week + dt.timedelta(days=14), 10)
            elif index == 2:
                trip(person, week + dt.timedelta(days=10), 3, "Новосибирск", "Монтаж оборудования")
            else:
                leave(person, week + dt.timedelta(days=7), 3, leave_type=unpaid, unpaid_reason="marriage")

        # A pay-rate change the manager proposed (waiting for HR), and the manager's own leave (their boss).
        rate = current_rate(employee, today)
        if rate is not None:
            attempt(
                lambda: services.request_create(
                    actor=manager.user,
                    kind=Request.Kind.RATE_CHANGE,
                    employee=employee,
                    effective_date=today.replace(day=1) + dt.timedelta(days=32),
                    fte=rate.fte,
                    salary=(rate.salary * Decimal("1.10")).quantize(Decimal("1")),
                    comment="Индексация по итогам года",
                )
            )
        if boss is not None:
            leave(manager, week + dt.timedelta(days=28), 7)
        # HR's own certificate, waiting for another HR member.
        attempt(
            lambda: services.request_create(
                actor=hr.user, kind=Request.Kind.CERTIFICATE, certificate_type="employment", copies=1
            )
        )
        return count
