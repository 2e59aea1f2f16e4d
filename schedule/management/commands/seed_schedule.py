"""`seed_schedule [--date YYYY-MM-DD] [--seed S]`: next year's leave schedule (T-7) for the demo company, in bulk.

seed_demo (staff) calls it by name after the requests. HR opens next year's campaign (the service); about seven
in ten employees of the schedule have proposed their parts — most one part of 14 days and two of a week, some two
of 14 days, some only short parts (what HR's progress page flags) — with the days charged counted by the
production calendar as the services count them; about four in ten headed departments have submitted. Parts and
submissions are written with COPY on PostgreSQL (staff.demo.bulk): at 30,000 people a service call per part would
take an hour. Deterministic for a seed and a date; skipped when next year's campaign exists.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from leave import calc
from leave import selectors as leave_selectors
from leave.models import LeaveType
from schedule import services
from schedule.models import Campaign, Part, Submission
from schedule.notices import campaign_employees
from staff.demo.bulk import insert_rows
from staff.demo.command import SeedCommand
from staff.models import HR_GROUP, Department

PROPOSING = 0.7
SUBMITTED = 0.4
# The shapes of a year's leave, in calendar days, and how often each is chosen.
PLANS = ((0.6, (14, 7, 7)), (0.25, (14, 14)), (0.15, (7, 5, 5)))


class Command(SeedCommand):
    help = "Next year's leave schedule with parts and submissions for part of the demo company (skipped when open)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = self.seed_date(options)
        year = today.year + 1
        if Campaign.objects.filter(year=year).exists():
            self.stdout.write(f"The leave schedule for {year} is already present: nothing added.")
            return
        hr_user = get_user_model().objects.filter(groups__name=HR_GROUP, is_active=True).order_by("pk").first()
        if hr_user is None:
            self.stdout.write("No HR user: no leave schedule.")
            return
        seed = options["seed"]
        with transaction.atomic():
            campaign = services.campaign_open(actor=hr_user, year=year, proposal_deadline=dt.date(year - 1, 12, 10))
            annual = LeaveType.objects.get(code="annual")
            calendar = leave_selectors.production_calendar(start=campaign.first_day, end=campaign.last_day)
            people = list(
                campaign_employees(campaign)
                .filter(termination_date__isnull=True)
                .order_by("pk")
                .values_list("pk", "hire_date")
            )
            now = timezone.now()
            parts: list[dict[str, Any]] = []
            bar = tqdm(total=len(people), unit="people", desc="schedule", file=sys.stderr, leave=False,
                       disable=options["verbosity"] < 1)  # fmt: skip
            for pk, hire_date in people:
                rng = random.Random(f"{seed}:schedule:{pk}")
                bar.update(1)
                if rng.random() >= PROPOSING:
                    continue
                roll, lengths = rng.random(), PLANS[-1][1]
                for share, plan in PLANS:
                    if roll < share:
                        lengths = plan
                        break
                    roll -= share
                months = sorted(rng.sample(range(1, 13), len(lengths)))
                for month, length in zip(months, rng.sample(lengths, len(lengths)), strict=True):
                    start = dt.date(year, month, rng.randint(1, 15))
                    if start < hire_date:
                        continue
                    end = start + dt.timedelta(days=length - 1)
                    length_of = calc.leave_length(calendar, start=start, end=end, counting=annual.counting)
                    charged = Decimal(length_of.days_charged).quantize(Decimal("0.01"))
                    parts.append({"campaign_id": campaign.pk, "employee_id": pk, "leave_type_id": annual.pk,
                                  "start_date": start, "end_date": end, "days": charged,
                                  "comment": "", "request_id": None, "created_at": now, "updated_at": now})  # fmt: skip
            bar.close()
            headed = (
                Department.objects.filter(head__isnull=False, head__user__is_active=True)
                .order_by("pk")
                .values_list("pk", "head__user_id")
            )
            submissions = [
                {"campaign_id": campaign.pk, "department_id": pk, "submitted_by_id": user_id, "submitted_at": now}
                for pk, user_id in headed
                if random.Random(f"{seed}:submission:{pk}").random() < SUBMITTED
            ]
            insert_rows(Part, parts)
            insert_rows(Submission, submissions)
        self.stdout.write(
            self.style.SUCCESS(
                f"Leave schedule {year}: {len(parts)} parts of {len({p['employee_id'] for p in parts})} employees, "
                f"{len(submissions)} departments submitted."
            )
        )
