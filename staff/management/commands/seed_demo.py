"""`seed_demo [--employees N] [--seed S] [--password P]`: the demo organisation (CONTRACT.md).

Deterministic for a seed (staff.demo.plan), written in one transaction with bulk inserts: the
password is hashed once and the hash reused, users/employees/rates go through bulk_create (with
their simple-history rows), and the ~280 timesheet rows per person and year go through COPY on
PostgreSQL and executemany on SQLite. Safe to run twice: the first demo personnel number marks
the data as present and a second run adds nothing. After the accrual it calls the upper apps' seeds
by name (requests, leave history, then payroll, the leave schedule and documents: EXTRA_SEEDS);
`--extras-only` runs only the last three, for an organisation seeded before they existed.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from staff.demo.calendar import production_calendar
from staff.demo.plan import FIXED_LOGINS, MARKER_PERSONNEL_NUMBER, MIN_EMPLOYEES, Plan, build_plan, timesheet_rows
from staff.models import Department, Employee, PayRate, Position, TimesheetEntry
from staff.services import department_save, hr_group_ensure

User = get_user_model()
BATCH = 1000
TIMESHEET_BATCH = 50_000
DEFAULT_PASSWORD = "demo12345"  # noqa: S105 - the demo logins' documented password
# Seeds of the upper apps, called by name after the requests (staff imports none of them): 13 months of payroll
# accruals, next year's leave schedule, the documents of the approved requests (they need the requests).
EXTRA_SEEDS = ("seed_payroll", "seed_schedule", "seed_documents")
LOGIN_ROLES = {
    "hr": "HR staff, admin access at /admin/",
    "manager": "head of a department",
    "employee": "a direct report of manager",
    "outsider": "outside manager's department and its sub-departments",
}


def _batched(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class Command(BaseCommand):
    help = "Create the deterministic demo organisation (idempotent: a second run adds nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--employees", type=int, default=200, help="How many employees (default 200).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed, the same people.")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password of every demo login.")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Pretend today is this date (YYYY-MM-DD); timesheets cover the 13 months before it.",
        )
        parser.add_argument("--no-accrual", action="store_true", help="Do not run accrue_leave at the end.")
        parser.add_argument(
            "--extras-only",
            action="store_true",
            help=f"Only the later seeds ({', '.join(EXTRA_SEEDS)}) on an organisation already seeded.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        employees: int = options["employees"]
        if employees < MIN_EMPLOYEES:
            raise CommandError(f"--employees must be at least {MIN_EMPLOYEES}.")
        self.show_progress = options["verbosity"] > 0
        if options["extras_only"]:
            if not Employee.objects.filter(personnel_number=MARKER_PERSONNEL_NUMBER).exists():
                raise CommandError("--extras-only needs the demo organisation: run seed_demo without it first.")
            self._extras(options)
            return
        if Employee.objects.filter(personnel_number=MARKER_PERSONNEL_NUMBER).exists():
            self.stdout.write("Demo data is already present: nothing added.")
            self._print_logins(password=None)
            self._accrue(options)
            return
        clash = sorted(User.objects.filter(username__in=FIXED_LOGINS).values_list("username", flat=True))
        if clash:
            raise CommandError(f"Users {', '.join(clash)} exist but are not demo data; use an empty database.")

        plan = build_plan(employees=employees, seed=options["seed"], today=options["today"] or timezone.localdate())
        calendar, sources = production_calendar(plan.window_start, plan.window_end)
        with transaction.atomic():
            counts = self._write(plan, calendar, options["password"])
        elapsed = time.monotonic() - started
        source_text = ", ".join(f"{year}: {source}" for year, source in sorted(sources.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation created in {elapsed:.1f} s: {counts['employees']} employees, "
                f"{counts['departments']} departments, {counts['rates']} pay-rate rows, "
                f"{counts['timesheets']} timesheet rows {plan.window_start}…{plan.window_end} "
                f"(production calendar {source_text})."
            )
        )
        self._print_logins(password=options["password"])
        self._accrue(options)

    # --- writing ----------------------------------------------------------------------------------

    def _bar(self, total: int, unit: str, desc: str) -> tqdm:
        return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, disable=not self.show_progress, leave=False)

    def _write(self, plan: Plan, calendar: Any, password: str) -> dict[str, int]:
        hr_group = hr_group_ensure()
        positions = self._positions(plan)
        departments = self._departments(plan)
        password_hash = make_password(password)  # once: hashing per user would take minutes

        users: list[Any] = []
        employees: list[Employee] = []
        with self._bar(len(plan.people), "people", "employees") as bar:
            for batch in _batched(plan.people, BATCH):
                batch_users = [
                    User(
                        username=p.username,
                        email=p.email,
                        first_name=p.first_name,
                        last_name=p.last_name,
                        password=password_hash,
                        is_staff=p.hr,
                        is_active=p.termination_date is None,
                    )
                    for p in batch
                ]
                User.objects.bulk_create(batch_users)
                if any(u.pk is None for u in batch_users):  # a backend that cannot return ids
                    ids = dict(
                        User.objects.filter(username__in=[u.username for u in batch_users]).values_list(
                            "username", "pk"
                        )
                    )
                    for user in batch_users:
                        user.pk = ids[user.username]
                users += batch_users
                batch_employees = [
                    Employee(
                        user=user,
                        personnel_number=p.personnel_number,
                        last_name=p.last_name,
                        first_name=p.first_name,
                        patronymic=p.patronymic,
                        email=p.email,
                        language=p.language,
                        department=departments[p.department],
                        position=positions[p.position],
                        hire_date=p.hire_date,
                        termination_date=p.termination_date,
                    )
                    for p, user in zip(batch, batch_users, strict=True)
                ]
                employees += bulk_create_with_history(
                    batch_employees, Employee, batch_size=BATCH, default_change_reason="seed_demo"
                )
                bar.update(len(batch))

        for department_plan in plan.departments:
            departments[department_plan.key].head = employees[department_plan.head]  # type: ignore[index]
        Department.objects.bulk_update(departments, ["head"], batch_size=BATCH)
        membership = User.groups.through
        membership.objects.bulk_create(
            [membership(user_id=users[p.index].pk, group_id=hr_group.pk) for p in plan.people if p.hr],
            batch_size=BATCH,
        )

        now = timezone.now()
        rates = [
            PayRate(
                employee=employees[p.index],
                effective_date=r.effective_date,
                fte=r.fte,
                salary=r.salary,
                comment=r.comment,
                superseded_at=now if r.superseded else None,
            )
            for p in plan.people
            for r in p.rates
        ]
        bulk_create_with_history(rates, PayRate, batch_size=BATCH, default_change_reason="seed_demo")

        timesheet_count = self._timesheets(plan, calendar, [e.pk for e in employees])
        return {
            "employees": len(employees),
            "departments": len(departments),
            "rates": len(rates),
            "timesheets": timesheet_count,
        }

    def _positions(self, plan: Plan) -> dict[str, Position]:
        existing = {p.name: p for p in Position.objects.filter(name__in=plan.positions)}
        missing = [
            Position(name=name, extra_leave_days=extra)
            for name, extra in plan.positions.items()
            if name not in existing
        ]
        Position.objects.bulk_create(missing)
        return {p.name: p for p in Position.objects.filter(name__in=plan.positions)}

    def _departments(self, plan: Plan) -> list[Department]:
        # department_save keeps the materialised paths; parents come before their children in the plan.
        created: list[Department] = []
        for department_plan in plan.departments:
            parent = created[department_plan.parent] if department_plan.parent is not None else None
            created.append(department_save(department=Department(name=department_plan.name, parent=parent)))
        return created

    def _timesheets(self, plan: Plan, calendar: Any, employee_ids: list[int]) -> int:
        meta = TimesheetEntry._meta
        quote = connection.ops.quote_name
        columns = [meta.get_field(name).column for name in ("employee", "date", "kind", "hours", "day_off_instead")]
        column_list = ", ".join(quote(c) for c in columns)
        table = quote(meta.db_table)

        def rows() -> Iterator[tuple[int, dt.date, str, Any, bool]]:
            for person in plan.people:
                yield from timesheet_rows(
                    person, employee_ids[person.index], calendar, plan.window_start, plan.window_end, plan.seed
                )
                bar.update(1)

        count = 0
        with self._bar(len(plan.people), "people", "timesheets") as bar:
            connection.ensure_connection()
            if connection.vendor == "postgresql":
                # COPY is several times faster than INSERT for a million rows (psycopg 3).
                with (
                    connection.connection.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
                ):
                    for row in rows():
                        copy.write_row(row)
                        count += 1
            elif connection.vendor == "sqlite":
                # Names from the model's meta, quoted by the backend: nothing here comes from input.
                sql = f"INSERT INTO {table} ({column_list}) VALUES (?, ?, ?, ?, ?)"  # noqa: S608
                raw = connection.connection
                for batch in _batched(rows(), TIMESHEET_BATCH):
                    raw.executemany(sql, [(e, d.isoformat(), k, str(h), int(o)) for e, d, k, h, o in batch])
                    count += len(batch)
            else:  # pragma: no cover - other backends: the ORM
                for batch in _batched(rows(), TIMESHEET_BATCH):
                    TimesheetEntry.objects.bulk_create(
                        [
                            TimesheetEntry(employee_id=e, date=d, kind=k, hours=h, day_off_instead=o)
                            for e, d, k, h, o in batch
                        ],
                        batch_size=BATCH,
                    )
                    count += len(batch)
        return count

    # --- output and the leave app -------------------------------------------------------------------

    def _print_logins(self, password: str | None) -> None:
        people = {
            e.user.username: e
            for e in Employee.objects.select_related("user", "department").filter(user__username__in=FIXED_LOGINS)
        }
        shown = f'password "{password}"' if password else "password as set when the data was created"
        self.stdout.write(f"Logins ({shown}):")
        for login in FIXED_LOGINS:
            person = people.get(login)
            where = f"{person.full_name} — {person.department}" if person else "missing!"
            self.stdout.write(f"  {login:<9} {LOGIN_ROLES[login]:<55} {where}")

    def _accrue(self, options: dict[str, Any]) -> None:
        if options["no_accrual"] or "accrue_leave" not in get_commands():
            return
        started = time.monotonic()
        extra = [f"--date={options['today'].isoformat()}"] if options["today"] else []
        call_command("accrue_leave", *extra, verbosity=options["verbosity"], stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(f"accrue_leave took {time.monotonic() - started:.1f} s.")
        # Two years of requests of every kind and status for the whole company, in bulk (requests_app's command).
        if "seed_request_history" in get_commands():
            call_command("seed_request_history", *extra, verbosity=options["verbosity"], stdout=self.stdout)
        # Leave of earlier working years taken before the portal, so balances by working year make sense
        # (the leave app's command; called by name, as staff knows nothing of leave).
        if "seed_leave_history" in get_commands():
            call_command("seed_leave_history", *extra, verbosity=options["verbosity"], stdout=self.stdout)
        # Requests of every kind and status for the demo logins' teams (requests_app's command, by name too).
        if "seed_requests" in get_commands():
            call_command("seed_requests", *extra, verbosity=options["verbosity"], stdout=self.stdout)
        self._extras(options)

    def _extras(self, options: dict[str, Any]) -> None:
        """The upper apps' seeds that came later (payroll, the schedule, documents), by name as well; each adds
        nothing when its rows are present, so an organisation seeded before them can be topped up."""
        extra = [f"--date={options['today'].isoformat()}"] if options["today"] else []
        for name in EXTRA_SEEDS:
            if name in get_commands():
                started = time.monotonic()
                call_command(name, *extra, verbosity=options["verbosity"], stdout=self.stdout)
                self.stdout.write(f"{name} took {time.monotonic() - started:.1f} s.")
        if connection.vendor == "postgresql":
            # Fresh statistics: after millions of bulk-loaded rows the planner would otherwise guess (a
            # one-employee ledger sum scanned the whole ledger until autovacuum got round to it).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
