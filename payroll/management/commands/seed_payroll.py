"""`seed_payroll [--date YYYY-MM-DD] [--seed S]`: 13 months of payroll accruals for the demo company, in bulk.

seed_demo (staff) calls it by name after the requests: what a payroll export (1С:ЗУП) would have brought for the
13 complete months before the date — each person's salary for the months they were employed (the pay rate in
force on the 1st, times the FTE, in proportion to the calendar days employed), a monthly bonus for some teams, a
quarterly bonus in the month after each quarter and an annual one in March for part of the company (with their
periods), a fixed allowance for some and now and then a holiday-work premium. `counts` is the kind's default
(payroll.kinds). Written with COPY on PostgreSQL (staff.demo.bulk); deterministic for a seed and a date; skipped
when any accrual is present.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from payroll import kinds
from payroll.models import PayrollAccrual
from staff.demo.bulk import insert_rows
from staff.demo.command import SeedCommand
from staff.models import Employee
from staff.selectors import current_rates

MONTHS = 13
CENT = Decimal("0.01")


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)  # kopecks, half up as payroll rounds


class Command(SeedCommand):
    help = "13 months of payroll accruals for the demo company, in bulk (skipped when any is present)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = self.seed_date(options)
        if PayrollAccrual.objects.exists():
            self.stdout.write("Payroll accruals are already present: nothing added.")
            return
        months = [_month_start(today, back) for back in range(MONTHS, 0, -1)]  # complete months, oldest first
        rates: dict[int, list[tuple[dt.date, Decimal, Decimal]]] = defaultdict(list)
        for employee_id, effective, fte, salary in (
            current_rates()
            .order_by("employee_id", "effective_date")
            .values_list("employee_id", "effective_date", "fte", "salary")
        ):
            rates[employee_id].append((effective, fte, salary))
        people = list(
            Employee.objects.filter(hire_date__lt=today)
            .exclude(termination_date__lt=months[0])
            .order_by("pk")
            .values_list("pk", "department_id", "hire_date", "termination_date")
        )
        now = timezone.now()
        rows: list[dict[str, Any]] = []
        bar = tqdm(total=len(people), unit="people", desc="payroll", file=sys.stderr, leave=False,
                   disable=options["verbosity"] < 1)  # fmt: skip
        for pk, department_id, hire_date, termination_date in people:
            rng = random.Random(f"{options['seed']}:payroll:{pk}")
            team = random.Random(f"{options['seed']}:payroll-team:{department_id}")
            monthly_bonus = team.random() < 0.3  # a team's pay system: sales and the like get a monthly bonus
            quarterly = rng.random() < 0.5
            yearly = rng.random() < 0.4
            allowance = Decimal(rng.choice((3000, 5000, 8000))) if rng.random() < 0.15 else None
            for month in months:
                last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
                first_day, last_day = max(month, hire_date), min(last, termination_date or last)
                if first_day > last_day:
                    continue
                rate = next((r for r in reversed(rates.get(pk, [])) if r[0] <= month), None) or next(
                    iter(rates.get(pk, [])), None
                )
                if rate is None:
                    continue
                _, fte, salary = rate
                share = Decimal((last_day - first_day).days + 1) / Decimal(last.day)
                base = salary * fte
                document = f"НЧ-{month:%Y-%m}"  # the month's payroll document in the export

                paid = [(kinds.SALARY, base * share, None, None, document)]
                if monthly_bonus and rng.random() < 0.85:
                    paid.append(
                        (kinds.BONUS_MONTH, base * share * Decimal(rng.randint(10, 25)) / 100, None, None, document)
                    )
                if allowance is not None:
                    paid.append((kinds.ALLOWANCE, allowance * share, None, None, document))
                if quarterly and month.month in (1, 4, 7, 10) and first_day == month:
                    start = _month_start(month, 3)
                    bonus = base * Decimal(rng.randint(20, 60)) / 100
                    quarter = f"ПР-{start:%Y}-К{(start.month - 1) // 3 + 1}"
                    paid.append((kinds.BONUS_QUARTER, bonus, start, month - dt.timedelta(days=1), quarter))
                if yearly and month.month == 3 and first_day == month:
                    bonus = base * Decimal(rng.randint(50, 150)) / 100
                    year = month.year - 1
                    paid.append((kinds.BONUS_YEAR, bonus, dt.date(year, 1, 1), dt.date(year, 12, 31), f"ПР-{year}-Г"))
                if rng.random() < 0.03:
                    premium = base / 21 * 2 * rng.randint(1, 2)  # art. 153: a day's pay twice
                    paid.append((kinds.HOLIDAY_WORK, premium, None, None, document))
                rows += [
                    {"employee_id": pk, "month": month, "kind": kind, "amount": _money(amount),
                     "period_start": start, "period_end": end, "document": doc,
                     "counts": kinds.COUNTS_BY_DEFAULT[kind], "imported_at": now, "updated_at": now}
                    for kind, amount, start, end, doc in paid
                ]  # fmt: skip
            bar.update(1)
        bar.close()
        with transaction.atomic():
            count = insert_rows(PayrollAccrual, rows)
        self.stdout.write(self.style.SUCCESS(f"Payroll accruals: {count} rows, {months[0]:%m.%Y}–{months[-1]:%m.%Y}."))
