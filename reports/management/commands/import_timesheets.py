"""import_timesheets FILE.csv — load timesheet entries, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.timesheets import COLUMNS, parse_timesheet_csv, timesheets_import

HELP = f"""Import timesheet entries from a CSV file: every row is validated first; if any row is bad, each bad
row is reported with its line number and nothing is imported.

Format: UTF-8, comma-separated, a header row naming the columns {",".join(COLUMNS)}.
  personnel_number  an existing employee's personnel number
  date              YYYY-MM-DD (or DD.MM.YYYY), within the employee's employment
  kind              regular | overtime | weekend | holiday
  hours             0-24, at most two decimals ("7.5", or "7,5" in quotes)
  day_off_instead   1/0, true/false, yes/no, да/нет or empty (= no); overtime/weekend/holiday only
One row per (employee, date, kind); at most 24 hours per employee and date. Idempotent: a row for an
(employee, date, kind) already imported replaces its hours and day_off_instead.
See docs/decisions/reports-timesheet-csv.md."""

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        from argparse import RawDescriptionHelpFormatter

        kwargs["formatter_class"] = RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (see the format above)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            with open(path, encoding="utf-8-sig", newline="") as stream:
                result = parse_timesheet_csv(stream)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
        if result.errors:
            for line, message in result.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(f"{path}:{line}: {message}")
            if len(result.errors) > MAX_ERRORS_SHOWN:
                self.stderr.write(f"… and {len(result.errors) - MAX_ERRORS_SHOWN} more bad rows")
            raise CommandError(f"{len(result.errors)} bad row(s) in {path}; nothing was imported.")
        count = timesheets_import(rows=result.rows)
        employees = len({row.employee_id for row in result.rows})
        self.stdout.write(self.style.SUCCESS(f"Imported {count} timesheet entries for {employees} employee(s)."))
