"""`send_due_notices [--date D]`: the daily job of the leave schedule for date D (default today). Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from schedule import notices


class Command(BaseCommand):
    help = (
        "Send the leave-schedule notices due on a date (art. 123: 14 days before a leave), the payroll list "
        "(art. 136: 3 days before) and the proposal reminders. Running it twice sends nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                on = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD.") from None
        else:
            on = timezone.localdate()
        result = notices.send_due_notices(on=on)
        self.stdout.write(
            self.style.SUCCESS(
                f"{on.isoformat()}: {result.notices} notices, {result.payroll_lines} payroll lines, "
                f"{result.reminders} reminders queued."
            )
        )
