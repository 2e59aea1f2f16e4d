"""`seed_request_history [--date YYYY-MM-DD] [--seed S]`: two years of requests for the whole demo company, in bulk.

seed_demo (staff) calls it by name after the accrual, before the leave history and `seed_requests`: every active
employee outside the demo logins' department gets the requests people file in two years — annual leave twice a
working year, business trips, certificates, now and then an unpaid leave or a pay-rate change proposed by the
manager — in every status (approved, rejected, cancelled, pending at the manager or at HR, approved with a
cancellation asked for), with their history rows, the absences of the approved ones, the ledger's reserve /
release / use entries (the services' keys) and a sick leave or two a year without a request. The organisation at
30,000 people gets about a quarter of a million requests: they are written with COPY on PostgreSQL (ids taken
from the tables' sequences), with bulk_create elsewhere. Deterministic for a seed and a date; skipped when any
of these employees already has a request.

This writes rows the services would write, without the services: at this volume one service call per request
would take hours. `seed_requests` still files the demo logins' requests through the services.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import models, transaction
from django.utils import timezone
from tqdm import tqdm

from leave.models import Absence, CalendarDay, LeaveAccount, LeaveEntry, LeaveType
from requests_app.models import (
    CertificateDetails,
    LeaveDetails,
    RateChangeDetails,
    Request,
    RequestEvent,
    TripDetails,
)
from requests_app.services import tally_recount
from staff.demo.bulk import insert_rows, next_ids, reset_sequence
from staff.demo.command import SeedCommand
from staff.models import HR_GROUP, Employee
from staff.selectors import current_rate, manager_ids_of_rows

YEARS = 2
DEMO_LOGINS = ("employee", "manager", "hr", "outsider")
CITIES = ("Казань", "Тверь", "Екатеринбург", "Новосибирск", "Самара", "Пермь", "Омск", "Воронеж")
PURPOSES = ("Переговоры с поставщиком", "Аудит склада", "Обучение", "Монтаж оборудования", "Выставка")
CERTIFICATES = [c.value for c in CertificateDetails.Type]
S, E = Request.Status, RequestEvent.Action


@dataclass
class _Rows:
    """The rows to write, per model, as field-name dicts in one order per model."""

    by_model: dict[type[models.Model], list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, model: type[models.Model], **values: Any) -> None:
        self.by_model.setdefault(model, []).append(values)


class Command(SeedCommand):
    help = "Two years of requests of every kind and status for the demo company, in bulk (skipped when present)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = self.seed_date(options)
        logins = {
            e.user.username: e for e in Employee.objects.select_related("user").filter(user__username__in=DEMO_LOGINS)
        }
        if "manager" not in logins:
            self.stdout.write("No demo logins: no request history.")
            return
        people = list(
            Employee.objects.filter(termination_date__isnull=True, hire_date__lt=today)
            .exclude(department_id=logins["manager"].department_id)
            .exclude(pk__in=[e.pk for e in logins.values()])
            .order_by("pk")
            .values_list("pk", "user_id", "hire_date", "manager_override_id", "department__path")
        )
        if Request.objects.filter(employee_id__in=[p[0] for p in people[:50]]).exists():
            self.stdout.write("Demo request history is already present: nothing added.")
            return
        self.show_progress = options["verbosity"] > 0
        with transaction.atomic():
            counts = self._write(today, people, options["seed"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo request history: {counts[Request]} requests, {counts[RequestEvent]} history rows, "
                f"{counts[Absence]} absences, {counts[LeaveEntry]} ledger entries."
            )
        )

    def _write(self, today: dt.date, people: Sequence[tuple[Any, ...]], seed: int) -> dict[Any, int]:
        managers = manager_ids_of_rows((p[0], p[3], p[4]) for p in people)
        user_of = dict(Employee.objects.filter(pk__in=set(managers.values()) - {None}).values_list("pk", "user_id"))
        hr_user = get_user_model().objects.filter(groups__name=HR_GROUP, is_active=True).order_by("pk").first()
        if hr_user is None:
            raise CommandError("No HR user: seed_demo first.")
        types = {t.code: t for t in LeaveType.objects.filter(code__in=["annual", "unpaid"])}
        accounts = dict(LeaveAccount.objects.filter(leave_type=types["annual"]).values_list("employee_id", "pk"))
        holidays = set(CalendarDay.objects.filter(kind="public_holiday").values_list("date", flat=True))
        rows = _Rows()
        next_id = next_ids([Request])
        first = today - dt.timedelta(days=365 * YEARS)
        bar = tqdm(total=len(people), unit="people", desc="requests", file=sys.stderr, leave=False,
                   disable=not self.show_progress)  # fmt: skip
        for pk, user_id, hire_date, _override, _path in people:
            rng = random.Random(f"{seed}:requests:{pk}")
            manager = managers.get(pk)
            ctx = _Person(pk, user_id, user_of.get(manager) if manager else None, hr_user.pk, accounts.get(pk))
            cursor = max(first, hire_date + dt.timedelta(days=30))
            while cursor < today + dt.timedelta(days=90):
                cursor += dt.timedelta(days=rng.randint(40, 110))
                roll = rng.random()
                if roll < 0.55:
                    length = rng.randint(7, 14)
                    days = sum(1 for i in range(length) if cursor + dt.timedelta(i) not in holidays)
                    if days:  # a week of New Year holidays charges nothing: nobody files for it
                        ctx.leave(rows, next_id, rng, today, cursor, length, types["annual"], Decimal(days))
                elif roll < 0.60:
                    length = rng.randint(1, 3)
                    ctx.leave(rows, next_id, rng, today, cursor, length, types["unpaid"], Decimal(length))
                elif roll < 0.85:
                    ctx.trip(rows, next_id, rng, today, cursor, rng.randint(2, 5))
                else:
                    length = rng.randint(3, 10)
                    end = cursor + dt.timedelta(days=length - 1)
                    if end < today:  # sick leave is recorded by HR after the fact, without a request
                        rows.add(Absence, employee_id=pk, kind=Absence.Kind.SICK, start_date=cursor, end_date=end,
                                 keeps_average=False, unpaid_reason="", request_id=None, comment="Больничный",
                                 created_at=_at(end, 10), cancelled_at=None)  # fmt: skip
                cursor += dt.timedelta(days=14)
                if rng.random() < 0.5:
                    ctx.certificate(rows, next_id, rng, today, cursor - dt.timedelta(days=rng.randint(1, 30)))
            if ctx.manager_user is not None and rng.random() < 0.05:
                rate = current_rate(Employee(pk=pk), today)
                if rate is not None:
                    ctx.rate_change(rows, next_id, rng, today, rate)
            bar.update(1)
        bar.close()
        counts = {}
        for model, items in rows.by_model.items():
            counts[model] = insert_rows(model, items)
        reset_sequence(Request, next_id[Request] - 1)
        tally_recount()  # the history went in around the services that keep the counts
        return {m: counts.get(m, 0) for m in (Request, RequestEvent, Absence, LeaveEntry)}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@dataclass
class _Person:
    pk: int
    user_id: int
    manager_user: int | None
    hr_user: int
    account: int | None

    def _request(
        self, rows: _Rows, next_id: dict[Any, int], rng: random.Random, today: dt.date, *, kind: str,
        filed: dt.date, start: dt.date | None = None, end: dt.date | None = None, filer: int | None = None,
        hr_only: bool = False,
    ) -> tuple[int, str, dt.datetime | None]:  # fmt: skip
        """A request, its history and its status; returns (id, status, decided at)."""
        rid = next_id[Request]
        next_id[Request] += 1
        stage = Request.Stage.HR if hr_only or self.manager_user is None else Request.Stage.MANAGER
        decider = self.hr_user if stage == Request.Stage.HR else self.manager_user
        created = _at(filed, rng.randint(9, 18))
        # Most are decided within days, some wait weeks: the inboxes hold what was filed lately.
        decided_day = filed + dt.timedelta(days=rng.randint(0, 3) if rng.random() < 0.7 else rng.randint(4, 30))
        status, cancel_requested, decided = S.PENDING, False, None
        events = [(E.CREATED, filer or self.user_id, "", "", S.PENDING, created)]
        if decided_day < today:
            decided = _at(decided_day, rng.randint(9, 18))
            roll = rng.random()
            if roll < 0.08:
                status = S.REJECTED
                events.append((E.REJECTED, decider, stage, S.PENDING, S.REJECTED, decided))
            elif roll < 0.13:
                status = S.CANCELLED
                events.append((E.CANCELLED, self.user_id, stage, S.PENDING, S.CANCELLED, decided))
            else:
                status = S.APPROVED
                events.append((E.APPROVED, decider, stage, S.PENDING, S.APPROVED, decided))
                if start is not None and start > today and rng.random() < 0.1:
                    cancel_requested = True
                    events.append((E.CANCEL_REQUESTED, self.user_id, "", S.APPROVED, S.APPROVED, decided))
        rows.add(Request, id=rid, kind=kind, employee_id=self.pk, status=status,
                 stage=stage if status == S.PENDING else "", stages=[str(stage)], start_date=start, end_date=end,
                 comment="", cancel_requested=cancel_requested, created_by_id=filer or self.user_id,
                 created_at=created, updated_at=decided or created,
                 decided_at=decided if status in (S.APPROVED, S.REJECTED) else None)  # fmt: skip
        for action, actor, step, from_status, to_status, at in events:
            rows.add(RequestEvent, request_id=rid, action=action, actor_id=actor, on_behalf_of_id=None, stage=step,
                     from_status=from_status, to_status=to_status, comment="", at=at)  # fmt: skip
        return rid, status, decided

    def leave(
        self, rows: _Rows, next_id: dict[Any, int], rng: random.Random, today: dt.date, start: dt.date,
        length: int, leave_type: LeaveType, days: Decimal,
    ) -> None:  # fmt: skip
        end = start + dt.timedelta(days=length - 1)
        filed = start - dt.timedelta(days=rng.randint(7, 40))
        if filed >= today:
            return
        rid, status, decided = self._request(rows, next_id, rng, today, kind=Request.Kind.LEAVE, filed=filed,
                                             start=start, end=end)  # fmt: skip
        rows.add(LeaveDetails, request_id=rid, leave_type_id=leave_type.pk, days=days, quote={}, unpaid_reason="")
        if status == S.APPROVED:
            self._absence(rows, rid, leave_type.absence_kind, start, end, decided)
        if leave_type.needs_balance and self.account is not None:
            entry = {"account_id": self.account, "effective_date": start, "request_id": rid, "period_start": start,
                     "period_end": end, "actor_id": None, "comment": ""}  # fmt: skip
            filed_at = _at(filed, 9)
            rows.add(LeaveEntry, kind="reserve", days=-days, idempotency_key=f"reserve:{rid}", created_at=filed_at,
                     **entry)  # fmt: skip
            if status == S.APPROVED:
                rows.add(LeaveEntry, kind="release", days=days, idempotency_key=f"approve-release:{rid}",
                         created_at=decided, **entry)  # fmt: skip
                rows.add(LeaveEntry, kind="use", days=-days, idempotency_key=f"use:{rid}", created_at=decided,
                         **entry)  # fmt: skip
            elif status != S.PENDING:
                rows.add(LeaveEntry, kind="release", days=days, idempotency_key=f"release:{rid}", created_at=decided,
                         **entry)  # fmt: skip

    def trip(
        self, rows: _Rows, next_id: dict[Any, int], rng: random.Random, today: dt.date, start: dt.date, length: int
    ) -> None:
        end = start + dt.timedelta(days=length - 1)
        filed = start - dt.timedelta(days=rng.randint(3, 20))
        if filed >= today:
            return
        rid, status, decided = self._request(rows, next_id, rng, today, kind=Request.Kind.BUSINESS_TRIP,
                                             filed=filed, start=start, end=end)  # fmt: skip
        rows.add(TripDetails, request_id=rid, destination=rng.choice(CITIES), purpose=rng.choice(PURPOSES))
        if status == S.APPROVED:
            self._absence(rows, rid, Absence.Kind.BUSINESS_TRIP, start, end, decided)

    def certificate(
        self, rows: _Rows, next_id: dict[Any, int], rng: random.Random, today: dt.date, day: dt.date
    ) -> None:
        if day >= today:
            return
        rid, _, _ = self._request(rows, next_id, rng, today, kind=Request.Kind.CERTIFICATE, filed=day)
        rows.add(CertificateDetails, request_id=rid, certificate_type=rng.choice(CERTIFICATES),
                 copies=rng.randint(1, 3))  # fmt: skip

    def rate_change(self, rows: _Rows, next_id: dict[Any, int], rng: random.Random, today: dt.date, rate: Any) -> None:
        filed = today - dt.timedelta(days=rng.randint(1, 20))
        rid, _, _ = self._request(rows, next_id, rng, today, kind=Request.Kind.RATE_CHANGE, filed=filed,
                                  filer=self.manager_user, hr_only=True)  # fmt: skip
        effective = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        rows.add(RateChangeDetails, request_id=rid, effective_date=effective, fte=rate.fte,
                 salary=(rate.salary * Decimal("1.08")).quantize(Decimal("1")), pay_rate_id=None)  # fmt: skip

    def _absence(
        self, rows: _Rows, rid: int, kind: str, start: dt.date, end: dt.date, decided: dt.datetime | None
    ) -> None:
        rows.add(Absence, employee_id=self.pk, kind=kind, start_date=start, end_date=end,
                 keeps_average=kind == Absence.Kind.BUSINESS_TRIP, unpaid_reason="", request_id=rid, comment="",
                 created_at=decided, cancelled_at=None)  # fmt: skip
