"""The base of the bulk demo seeds (`seed_request_history`, `seed_payroll`, `seed_schedule`, `seed_documents`):
each takes the day it seeds up to (`--date`, default today) and a random seed, read the same way."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class SeedCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default: today).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")

    def seed_date(self, options: dict[str, Any]) -> dt.date:
        try:
            return dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD.") from None
