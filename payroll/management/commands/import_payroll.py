"""`manage.py import_payroll FILE [--partial]` (CONTRACT.md): payroll accruals from CSV or XLSX.

Exit 0 when every row was imported; otherwise every bad row with its line number on stderr and exit 1 — with
nothing written, or with `--partial` the good rows written and a loud warning that the file was imported in
part. Progress goes to stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from payroll.services import payroll_import


class Command(BaseCommand):
    help = "Import payroll accruals (CSV UTF-8 ';' with a header, or XLSX) idempotently."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--partial", action="store_true", help="Write the good rows even when some rows are bad (listed)."
        )

    def handle(self, *args: Any, file: Path, partial: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")

        def progress(phase: str, rows: int) -> None:
            self.stdout.write(f"{phase} {rows} rows", ending="\r" if phase == "checked" else "\n")

        # English, as the API speaks to scripts; the admin's upload form speaks the user's language.
        with translation.override("en"), file.open("rb") as handle:
            result = payroll_import(file=handle, name=file.name, partial=partial, progress=progress)
            messages = [str(error) for error in result.errors]
        self.stdout.write("")
        for message in messages:
            self.stderr.write(message)
        if not result.errors:
            self.stdout.write(self.style.SUCCESS(f"{result.written} of {result.rows} rows imported from {file}."))
            return
        if partial and result.written:
            self.stderr.write(
                self.style.ERROR(
                    f"PARTIAL IMPORT: {result.written} good rows of {result.rows} written; "
                    f"{result.skipped} bad rows NOT imported (listed above). Fix them and import the file again."
                )
            )
        else:
            self.stderr.write(
                self.style.ERROR(f"Nothing imported: {len(result.errors)} errors in {result.skipped} rows of {file}.")
            )
        raise SystemExit(1)
