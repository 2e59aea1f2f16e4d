"""Count the requests per kind and status afresh into the tallies HR's requests list reads its `count` from
(requests_app.models.RequestTally): after deploying requests_app 0010, restoring a database, or inserting requests
around the services. `--check` only compares them and exits 1 on a difference."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from requests_app.services import tally_drift, tally_recount


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="only compare the tallies with a count; exit 1 if they differ"
        )

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        drift = tally_drift()
        for (kind, status), (tallied, counted) in sorted(drift.items()):
            self.stdout.write(f"{kind} {status}: tallied {tallied}, counted {counted}")
        if check:
            if drift:
                raise CommandError("the request tallies differ from a count: run manage.py recount_requests")
            self.stdout.write("The request tallies agree with a count.")
            return
        tally_recount()
        self.stdout.write("The request tallies are counted afresh.")
