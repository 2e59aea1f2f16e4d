"""`accrue_leave [--date YYYY-MM-DD] [--progress]`: accrue leave up to a date for every employee. Idempotent."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from leave import services


class Command(BaseCommand):
    help = "Accrue leave up to a date (default: today) for every employee. Running it twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show a progress bar on stderr even when stdout is not a terminal (it shows on a terminal anyway).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                up_to = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD.") from None
        else:
            up_to = timezone.localdate()
        show_progress = options["progress"] or (options["verbosity"] > 0 and self.stdout.isatty())
        created = 0
        # The bar writes to the real stderr: Django's OutputWrapper would end every redraw with a newline.
        with tqdm(unit="employee", desc="accrue_leave", file=sys.stderr, disable=not show_progress, leave=False) as bar:
            for batch in services.accrue_batches(up_to=up_to):
                if bar.total is None:  # known once the run has listed its employees
                    bar.total = batch.employees_total
                    bar.refresh()
                bar.update(batch.employees)
                created += batch.created
        self.stdout.write(self.style.SUCCESS(f"Leave accrued up to {up_to.isoformat()}: {created} new entries."))
