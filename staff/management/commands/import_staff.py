"""`manage.py import_staff FILE`: employees from CSV (UTF-8, `;`, a header row) or XLSX (../shared/CONTRACT.md).

The same checks and writes as the admin's employee import (staff.imports.engine, kind `employees`): every row is
checked first; with any error, every error goes to stderr, nothing is written and the exit status is 1. A second
run of the same file changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hrportal.errors import ValidationFailed
from staff.imports import engine
from staff.imports.files import read_table


class Command(BaseCommand):
    help = "Import employees from a CSV (UTF-8, ';') or XLSX file; nothing is written if any row has an error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file and print the counts only")

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            table = read_table(name=file.name, data=data)
        except ValidationFailed as exc:
            raise CommandError(f"{file}: {exc}") from None
        context = engine.Context(file_name=file.name)
        outcome = engine.run(engine.KINDS["employees"], table, context, write=not dry_run)
        counts = outcome.counts()
        if not outcome.ok:
            for line in outcome.error_lines():
                self.stderr.write(f"{file.name}: {line}")
            raise CommandError(
                f"{len(outcome.error_lines())} error(s) in {counts['error'] or len(outcome.header_errors)} row(s); "
                "nothing written"
            )
        verb = "would write" if dry_run else "written"
        self.stdout.write(
            f"{file.name}: {counts['new']} new, {counts['update']} updated, {counts['skip']} unchanged ({verb})"
        )
