"""Balances from the ledger, the accrual still to post, and the leave that is booked.

Past 400 lines: the working-year balance, the month-by-month figure and the two hand-written reads they share
(decision 0007) belong together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Max, Min, Q, Sum

from leave import calc
from leave.models import Absence, LeaveAccount, LeaveEntry, LeaveType
from leave.selectors.calendar import production_calendar
from staff.models import Employee

ZERO = Decimal("0.00")
TWO_PLACES = Decimal("0.01")
ANNUAL = "annual"
ADDITIONAL = "additional"


# --- accrual inputs -----------------------------------------------------------------------------


def leave_types() -> list[LeaveType]:
    """Every leave type in display order."""
    return list(LeaveType.objects.all())


def leave_type_by_code(code: str) -> LeaveType:
    for leave_type in leave_types():
        if leave_type.code == code:
            return leave_type
    raise LeaveType.DoesNotExist(f"No leave type {code!r}.")


def resolve_leave_type(leave_type: LeaveType | str) -> LeaveType:
    return leave_type if isinstance(leave_type, LeaveType) else leave_type_by_code(leave_type)


def yearly_entitlement(*, employee: Employee, leave_type: LeaveType) -> Decimal:
    """Days a year the type earns this employee: the type's own, plus personal and position days for
    additional leave (art. 116, 119)."""
    days = leave_type.yearly_entitlement
    if leave_type.adds_personal_days:
        days += employee.extra_leave_days
        if employee.position is not None:
            days += employee.position.extra_leave_days
    return days


def active_absences(
    *, employee_ids: Iterable[int], kinds: Iterable[str] | None = None
) -> dict[int, list[tuple[str, dt.date, dt.date]]]:
    """(kind, start, end) of every absence not cancelled (of the given `kinds` if any), by employee: one query.

    Hand-written SQL, as `_ledger_sums`: balances and quotes ask it on every call (bench/ledger_sums.py,
    docs/decisions/0007)."""
    ids = list(employee_ids)
    result: dict[int, list[tuple[str, dt.date, dt.date]]] = defaultdict(list)
    if not ids:
        return result
    params: list[Any] = list(ids)
    only_kinds = ""
    if kinds is not None:
        kind_list = list(kinds)
        only_kinds = f" AND kind IN ({_placeholders(kind_list)})"
        params += kind_list
    sql = (
        f"SELECT employee_id, kind, start_date, end_date FROM {Absence._meta.db_table}"  # noqa: S608 — table name
        f" WHERE cancelled_at IS NULL AND employee_id IN ({_placeholders(ids)}){only_kinds} ORDER BY start_date"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for employee_id, absence_kind, start, end in cursor.fetchall():
            result[employee_id].append((absence_kind, start, end))
    return result


# The kinds that move the working year (art. 121): unpaid leave beyond 14 days, and the excluded ones.
SERVICE_KINDS = tuple(
    kind for kind, rule in calc.absences.ABSENCE_RULES.items() if rule.service != calc.absences.COUNTS
)


def service_absences(*, employee_ids: Iterable[int]) -> dict[int, list[tuple[str, dt.date, dt.date]]]:
    """Active absences that shift the working year (art. 121), by employee: one query."""
    return active_absences(employee_ids=employee_ids, kinds=SERVICE_KINDS)


def timeline_for(
    *, employee: Employee, absences: list[tuple[str, dt.date, dt.date]] | None = None
) -> calc.ServiceTimeline:
    """The employee's service timeline (art. 121); `absences` as (kind, start, end), read if not given."""
    if absences is None:
        absences = service_absences(employee_ids=[employee.pk]).get(employee.pk, [])
    return calc.absences.service_timeline(
        hire_date=employee.hire_date,
        absences=[a for a in absences if a[0] in SERVICE_KINDS],
        termination_date=employee.termination_date,
    )


# --- balances -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    leave_type: str
    on: dt.date
    accrued: Decimal  # earned month by month by `on` (posted or still to post) plus HR adjustments by then
    used: Decimal  # approved leave, whenever it falls
    pending: Decimal  # leave requested and not yet decided
    available: Decimal  # entitled + adjustments − used − pending: what a leave starting on `on` may use
    entitled: Decimal = ZERO  # art. 122: the whole days of every working year opened by `on`
    adjustments: Decimal = ZERO  # HR adjustments effective by `on`
    carried_over: Decimal = ZERO  # unused days of the working years before the current one
    working_year_start: dt.date | None = None
    working_year_end: dt.date | None = None
    # accrued − used − pending: the month-by-month figure (28/12 a counted month) that the leave reserve and
    # the accounting of unused leave use; not what booking checks.
    earned_unused: Decimal = ZERO

    @property
    def working_year(self) -> dict[str, dt.date | None]:
        return {"start": self.working_year_start, "end": self.working_year_end}


@dataclass
class _Sums:
    accrual_on: Decimal = ZERO  # accrual entries effective by `on`
    accrual_total: Decimal = ZERO
    accrual_months: int = 0
    adjustment_on: Decimal = ZERO
    reserve: Decimal = ZERO
    release: Decimal = ZERO
    use: Decimal = ZERO


_LEDGER_SUMS_SQL = (
    "SELECT a.employee_id, a.leave_type_id, e.kind, SUM(e.days),"
    " SUM(CASE WHEN e.effective_date <= %s THEN e.days END), COUNT(*)"
    " FROM {entry} e JOIN {account} a ON a.id = e.account_id"
    " WHERE {where}"
    " GROUP BY a.employee_id, a.leave_type_id, e.kind"
)


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _decimal(value: Any) -> Decimal:
    """A sum as a Decimal: PostgreSQL returns one; SQLite a float (or int), rounded as Django rounds it."""
    if value is None or isinstance(value, Decimal):
        return value  # type: ignore[no-any-return]
    return Decimal(repr(value)).quantize(TWO_PLACES)


def _ledger_sums(
    *,
    employee_ids: Iterable[int],
    on: dt.date,
    leave_type_ids: Iterable[int] | None = None,
    exclude_request_id: int | None = None,
) -> dict[tuple[int, int], _Sums]:
    """Sums per (employee, leave type) and kind, split at `on` where it matters: one query.

    Hand-written SQL (the balances, quotes and dashboard all run it): the ORM aggregate costs 4–7× the CPU of
    this one for one employee (`.venv/bin/python bench/ledger_sums.py`, docs/decisions/0007).
    """
    ids = list(employee_ids)
    where = [f"a.employee_id IN ({_placeholders(ids)})"]
    params: list[Any] = [on, *ids]
    if leave_type_ids is not None:
        type_ids = list(leave_type_ids)
        where.append(f"a.leave_type_id IN ({_placeholders(type_ids)})")
        params += type_ids
    if exclude_request_id is not None:
        where.append("(e.request_id IS NULL OR e.request_id <> %s)")
        params.append(exclude_request_id)
    if not ids or (leave_type_ids is not None and not type_ids):
        return defaultdict(_Sums)
    sql = _LEDGER_SUMS_SQL.format(
        entry=LeaveEntry._meta.db_table, account=LeaveAccount._meta.db_table, where=" AND ".join(where)
    )  # only table names and placeholders are formatted in; every value is bound
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result: dict[tuple[int, int], _Sums] = defaultdict(_Sums)
    for employee_id, leave_type_id, kind, total, on_or_before, count in rows:
        sums = result[(employee_id, leave_type_id)]
        total = _decimal(total) or ZERO
        on_or_before = _decimal(on_or_before) or ZERO
        if kind == LeaveEntry.Kind.ACCRUAL:
            sums.accrual_total, sums.accrual_on, sums.accrual_months = total, on_or_before, count
        elif kind == LeaveEntry.Kind.ADJUSTMENT:
            sums.adjustment_on = on_or_before
        elif kind == LeaveEntry.Kind.RESERVE:
            sums.reserve = total
        elif kind == LeaveEntry.Kind.RELEASE:
            sums.release = total
        else:
            sums.use = total
    return result


def projected_accrual(*, sums: _Sums, timeline: calc.ServiceTimeline, on: dt.date, yearly_days: Decimal) -> Decimal:
    """Accrued by `on`: posted entries effective by then, plus months counted by then and not posted yet.

    Posted months are 1..n in order (accrue() posts them so), so the months still to post add the
    rounded cumulative figure minus what is posted.
    """
    counted = timeline.months_counted(on)
    if counted > sums.accrual_months:
        return sums.accrual_on + calc.cumulative_entitlement(counted, yearly_days) - sums.accrual_total
    return sums.accrual_on


def _balance(
    *,
    employee: Employee,
    leave_type: LeaveType,
    on: dt.date,
    sums: dict[tuple[int, int], _Sums],
    timeline: calc.ServiceTimeline,
) -> Balance:
    """The balance of one type from `_ledger_sums`' answer (a missing key: no entries yet)."""
    return _balance_of(
        leave_type=leave_type,
        on=on,
        sums=sums.get((employee.pk, leave_type.pk), _Sums()),
        timeline=timeline,
        yearly_days=yearly_entitlement(employee=employee, leave_type=leave_type),
    )


def _balance_of(
    *, leave_type: LeaveType, on: dt.date, sums: _Sums, timeline: calc.ServiceTimeline, yearly_days: Decimal
) -> Balance:
    accrued = projected_accrual(sums=sums, timeline=timeline, on=on, yearly_days=yearly_days) + sums.adjustment_on
    pending = -(sums.reserve + sums.release)
    used = -sums.use
    # Art. 122: a working year's whole leave is granted when it opens (docs/decisions/leave-rules.md).
    entitled = calc.working_year.entitled(timeline, on, yearly_days)
    year = calc.working_year.working_year_of(timeline, on)
    return Balance(
        leave_type=leave_type.code,
        on=on,
        accrued=accrued.quantize(TWO_PLACES),
        used=used.quantize(TWO_PLACES),
        pending=pending.quantize(TWO_PLACES),
        available=(entitled + sums.adjustment_on - used - pending).quantize(TWO_PLACES),
        entitled=entitled,
        adjustments=sums.adjustment_on.quantize(TWO_PLACES),
        # A negative HR correction takes days away like a use; extra days HR grants belong to no earlier year.
        carried_over=calc.working_year.carried_over(
            timeline, on, yearly_days, consumed=used + pending - min(sums.adjustment_on, ZERO)
        ),
        working_year_start=year.start,
        working_year_end=year.end,
        earned_unused=(accrued - used - pending).quantize(TWO_PLACES),
    )


def balance(
    *,
    employee: Employee,
    leave_type: LeaveType | str,
    on: dt.date,
    exclude_request_id: int | None = None,
    timeline: calc.ServiceTimeline | None = None,
) -> Balance:
    """The balance of one leave type on a date (three queries at most)."""
    leave_type = resolve_leave_type(leave_type)
    sums = _ledger_sums(
        employee_ids=[employee.pk], on=on, leave_type_ids=[leave_type.pk], exclude_request_id=exclude_request_id
    )
    return _balance(
        employee=employee,
        leave_type=leave_type,
        on=on,
        sums=sums,
        timeline=timeline or timeline_for(employee=employee),
    )


def balance_types() -> list[LeaveType]:
    return [t for t in leave_types() if t.needs_balance and t.active]


def balances(*, employee: Employee, on: dt.date) -> list[Balance]:
    """Every balance-keeping leave type of the employee on a date: three queries whatever the ledger."""
    types = balance_types()
    sums = _ledger_sums(employee_ids=[employee.pk], on=on)
    timeline = timeline_for(employee=employee)
    return [
        _balance(employee=employee, leave_type=leave_type, on=on, sums=sums, timeline=timeline) for leave_type in types
    ]


def balances_for_employees(*, employees: list[Employee], on: dt.date) -> dict[int, list[Balance]]:
    """Balances of many employees (reports): four queries whatever their number."""
    types = balance_types()
    ids = [e.pk for e in employees]
    sums = _ledger_sums(employee_ids=ids, on=on)
    absences = service_absences(employee_ids=ids)
    result = {}
    for employee in employees:
        timeline = timeline_for(employee=employee, absences=absences.get(employee.pk, []))
        result[employee.pk] = [
            _balance(employee=employee, leave_type=t, on=on, sums=sums, timeline=timeline) for t in types
        ]
    return result


def ledger(*, employee: Employee, leave_type: LeaveType | str | None = None) -> list[LeaveEntry]:
    entries = LeaveEntry.objects.filter(account__employee=employee).select_related("account__leave_type", "actor")
    if leave_type is not None:
        entries = entries.filter(account__leave_type=resolve_leave_type(leave_type))
    return list(entries.order_by("effective_date", "id"))


# --- outstanding leave --------------------------------------------------------------------------


@dataclass(frozen=True)
class BookedLeave:
    request_id: int
    employee_id: int
    leave_type_id: int
    start: dt.date
    end: dt.date
    days: Decimal
    status: str  # "pending" or "approved"


def booked_leave(*, filters: Q) -> list[BookedLeave]:
    """Requests whose days are still reserved or used, from the ledger alone (one query)."""
    # Every entry of a request carries the request's period (leave_reserve copies it), so Min/Max give it
    # without a second query.
    rows = (
        LeaveEntry.objects.filter(filters, request_id__isnull=False, kind__in=["reserve", "release", "use"])
        .values("request_id", "account__employee_id", "account__leave_type_id", "kind")
        .annotate(total=Sum("days"), start=Min("period_start"), end=Max("period_end"))
        .order_by()
    )
    by_request: dict[int, dict[str, Any]] = {}
    periods: dict[int, tuple[dt.date, dt.date]] = {}
    for row in rows:
        item = by_request.setdefault(
            row["request_id"],
            {"employee": row["account__employee_id"], "type": row["account__leave_type_id"]},
        )
        item[row["kind"]] = row["total"] or ZERO
        if row["kind"] == "reserve":
            periods[row["request_id"]] = (row["start"], row["end"])
    result = []
    for request_id, item in by_request.items():
        reserved = -(item.get("reserve", ZERO) + item.get("release", ZERO))
        used = -item.get("use", ZERO)
        if used > 0:
            status, days = "approved", used
        elif reserved > 0:
            status, days = "pending", reserved
        else:
            continue
        result.append(
            BookedLeave(
                request_id=request_id,
                employee_id=item["employee"],
                leave_type_id=item["type"],
                start=periods[request_id][0],
                end=periods[request_id][1],
                days=Decimal(days).quantize(TWO_PLACES),
                status=status,
            )
        )
    return sorted(result, key=lambda b: (b.start, b.request_id))


@dataclass(frozen=True)
class AffectedLeave:
    request_id: int
    employee: Employee
    leave_type: LeaveType
    start: dt.date
    end: dt.date
    status: str
    days_booked: Decimal
    days_charged_now: Decimal

    @property
    def changed(self) -> bool:
        return self.days_booked != self.days_charged_now


def affected_leave(*, dates: Iterable[dt.date]) -> list[AffectedLeave]:
    """Pending and approved leave whose period touches any of `dates`, re-quoted by today's calendar."""
    dates = sorted(set(dates))
    if not dates:
        return []
    touching = Q(pk__in=[])
    for day in dates:
        touching |= Q(period_start__lte=day, period_end__gte=day)
    request_ids = set(
        LeaveEntry.objects.filter(touching, kind="reserve", request_id__isnull=False).values_list(
            "request_id", flat=True
        )
    )
    booked = booked_leave(filters=Q(request_id__in=request_ids))
    if not booked:
        return []
    employees = Employee.objects.in_bulk([b.employee_id for b in booked])
    types = LeaveType.objects.in_bulk([b.leave_type_id for b in booked])
    calendar = production_calendar(start=min(b.start for b in booked), end=max(b.end for b in booked))
    result = []
    for item in booked:
        leave_type = types[item.leave_type_id]
        length = calc.leave_length(calendar, start=item.start, end=item.end, counting=leave_type.counting)
        result.append(
            AffectedLeave(
                request_id=item.request_id,
                employee=employees[item.employee_id],
                leave_type=leave_type,
                start=item.start,
                end=item.end,
                status=item.status,
                days_booked=item.days,
                days_charged_now=Decimal(length.days_charged).quantize(TWO_PLACES),
            )
        )
    return result
