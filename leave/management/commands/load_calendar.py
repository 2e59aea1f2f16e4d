"""`load_calendar [--country RU] [--year Y]`: load the production calendar. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hrportal.errors import ValidationFailed
from leave import services


class Command(BaseCommand):
    help = "Load the production calendar (shipped official table, then holidays.RU). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--country", default="RU", help="Country code (only RU).")
        parser.add_argument(
            "--year", type=int, default=None, help="One year (default: every shipped year and up to next year)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if year is not None and not 1992 <= year <= 2100:
            raise CommandError("--year must be between 1992 and 2100.")
        try:
            result = services.load_calendar(country=options["country"], year=year)
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Production calendar {result.years[0]}–{result.years[-1]}: {result.created} created, "
                f"{result.updated} updated, {result.deleted} removed, {result.kept_manual} edited by HR kept."
            )
        )
