"""`accrue_leave [--date YYYY-MM-DD]`: accrue leave up to a date for every employee. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from leave import services


class Command(BaseCommand):
    help = "Accrue leave up to a date (default: today) for every employee. Running it twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                up_to = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD.") from None
        else:
            up_to = timezone.localdate()
        created = services.accrue(up_to=up_to)
        self.stdout.write(self.style.SUCCESS(f"Leave accrued up to {up_to.isoformat()}: {created} new entries."))
