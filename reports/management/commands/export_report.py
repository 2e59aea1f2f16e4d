"""export_report KIND --date-from D --date-to D --out FILE.xlsx — build a report synchronously."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from tqdm import tqdm

from hrportal.errors import ApplicationError
from reports.exporters import export_to_file
from reports.models import ReportJob
from reports.services import language_of, validate_request

# The CLI updates its bar more often than the task updates the job row; the file is the same either way.
BAR_EVERY = 1000


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Build a report synchronously with a progress bar: the same generator and writer as the asynchronous "
        "export, so the same file. Without --user the report covers everyone (the operator's view); with "
        "--user it is scoped as that user's request would be."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ReportJob.Kind.values)
        parser.add_argument("--date-from", required=True, type=_date, help="YYYY-MM-DD")
        parser.add_argument("--date-to", required=True, type=_date, help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--department", type=int, default=None, help="a department id: its subtree only")
        parser.add_argument("--user", default=None, help="build as this username would see it")
        parser.add_argument("--language", default=None, help="ru or en (default: the portal's language)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        kind, date_from, date_to = options["kind"], options["date_from"], options["date_to"]
        department_id = options["department"]
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        if date_to < date_from:
            raise CommandError("--date-to is before --date-from")
        if user is not None:
            try:
                department_id = validate_request(
                    user=user, kind=kind, date_from=date_from, date_to=date_to, department=department_id
                )
            except ApplicationError as exc:
                raise CommandError(str(exc)) from exc
        language = options["language"] or language_of(user)
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        bar = tqdm(total=0, unit="rows", disable=options["no_progress"], file=self.stderr._out, dynamic_ncols=True)

        def on_progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        fd, temp = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=out.parent)
        os.close(fd)
        try:
            with translation.override(language):
                written, _total = export_to_file(
                    kind=kind,
                    user=user,
                    date_from=date_from,
                    date_to=date_to,
                    department_id=department_id,
                    path=temp,
                    on_progress=on_progress,
                    progress_every=BAR_EVERY,
                    language=language,
                )
            os.replace(temp, out)  # readers never see a half-written file
        finally:
            bar.close()
            if os.path.exists(temp):
                os.unlink(temp)
        self.stdout.write(self.style.SUCCESS(f"{written} rows written to {out}"))
