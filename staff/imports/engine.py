"""The one implementation of every import: read the rows, plan each one, write the plan only if no row has an error.

An import kind (employees, departments, pay rates, absences, opening balances…) is two functions:

- `plan(rows, context)` checks every row against the database *and the rest of the file* (a manager or a parent
  department may be a later row) and returns one `RowPlan` per row: new / update / skip / error, with the
  changes a person can read and every error of the row. It writes nothing.
- `apply(plans, context)` writes the planned changes of a file whose plan has no error, in one transaction, each
  change with a history row naming the actor and the file.

The admin (through a Celery task, with a preview that someone confirms) and `manage.py import_staff` both call
`run()`, so the same file gets the same verdict everywhere. Kinds of apps above `staff` (absences and leave
balances live in `leave`) register themselves here (`register`), so `staff` imports nothing above it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.imports.files import Table

NEW, UPDATE, SKIP, ERROR = "new", "update", "skip", "error"
STATUS_LABELS = {
    NEW: gettext_lazy("new"),
    UPDATE: gettext_lazy("update"),
    SKIP: gettext_lazy("no change"),
    ERROR: gettext_lazy("error"),
}

Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass
class RowPlan:
    line: int
    key: str = ""  # what a person calls the row: a personnel number, a department code…
    status: str = SKIP
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, old, new) as text
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # the parsed values `apply` writes (not shown)

    def error(self, message: str) -> None:
        self.errors.append(message)
        self.status = ERROR

    def change(self, label: str, old: Any, new: Any) -> None:
        self.changes.append((str(label), as_text(old), as_text(new)))

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "key": self.key,
            "status": self.status,
            "changes": self.changes,
            "errors": self.errors,
        }


@dataclass
class Context:
    file_name: str
    actor: Any = None  # who writes (the confirming user): the history rows name them; None for the command line
    uploaded_by: Any = None
    job_id: int | None = None
    progress: Progress | None = None

    @property
    def reason(self) -> str:
        return f"import: {self.file_name}"[:100]  # simple-history's change reason holds 100 characters


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any  # lazy text
    columns: tuple[str, ...]  # the header; the `required` ones must be present
    required: tuple[str, ...]
    plan: Callable[[list[tuple[int, dict[str, Any]]], Context], list[RowPlan]]
    apply: Callable[[list[RowPlan], Context], None]
    sample: str  # the sample file in the repository
    changes_pay: bool = False  # four eyes: the upload and the confirmation by two people


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.code] = kind
    return kind


@dataclass
class Outcome:
    plans: list[RowPlan]
    applied: bool = False
    header_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.header_errors and not any(p.status == ERROR for p in self.plans)

    def counts(self) -> dict[str, int]:
        counts = {NEW: 0, UPDATE: 0, SKIP: 0, ERROR: 0}
        for plan in self.plans:
            counts[plan.status] += 1
        return counts

    def error_lines(self) -> list[str]:
        """Every error, one line each, as `import_staff` prints them and the admin lists them."""
        lines = list(self.header_errors)
        for plan in self.plans:
            lines.extend(
                _("line %(line)s (%(key)s): %(error)s") % {"line": plan.line, "key": plan.key or "—", "error": e}
                for e in plan.errors
            )
        return lines


def check_header(kind: Kind, table: Table) -> list[str]:
    missing = [c for c in kind.required if c not in table.columns]
    if missing:
        return [_("The header lacks the columns: %(columns)s.") % {"columns": ";".join(missing)}]
    limit = settings.HRPORTAL["IMPORT_MAX_ROWS"]
    if len(table.rows) > limit:
        return [_("The file has %(rows)s rows; split it into files of at most %(max)s.")
                % {"rows": len(table.rows), "max": limit}]  # fmt: skip
    return []


def run(kind: Kind, table: Table, context: Context, *, write: bool) -> Outcome:
    """Plan every row; with `write`, apply the plan when no row has an error, in one transaction.

    The plan is made again inside the transaction that writes it (the preview may be hours old): what is
    written is what the database holds now, and a row that turned bad since the preview stops the write."""
    header_errors = check_header(kind, table)
    if header_errors:
        return Outcome(plans=[], header_errors=header_errors)
    if not write:
        return Outcome(plans=kind.plan(table.rows, context))
    with transaction.atomic():
        plans = kind.plan(table.rows, context)
        outcome = Outcome(plans=plans)
        if outcome.ok:
            kind.apply([p for p in plans if p.status in (NEW, UPDATE)], context)
            outcome.applied = True
    return outcome


def report_progress(context: Context, done: int, total: int) -> None:
    if context.progress is not None:
        context.progress(done, total)


def each_reported(context: Context, plans: list[RowPlan], every: int = 100) -> Iterator[RowPlan]:
    """The plans one by one for a kind's `apply`, reporting progress after every `every` rows written."""
    for done, plan in enumerate(plans, start=1):
        yield plan
        if done % every == 0:
            report_progress(context, done, len(plans))


def row_comment(context: Context, data: dict[str, Any]) -> str:
    """The history comment of a written row: the import's reason, and the row's own comment when it has one."""
    return f"{context.reason}: {data['comment']}" if data.get("comment") else context.reason


# --- cells ----------------------------------------------------------------------------------------


def as_text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return str(value)


def text(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an XLSX number cell holding a code or a personnel number
    return str(value).strip()


DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def parse_date(plan: RowPlan, row: dict[str, Any], column: str, *, required: bool = True) -> dt.date | None:
    value = row.get(column)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(row, column)
    if not raw:
        if required:
            plan.error(_("%(column)s: required.") % {"column": column})
        return None
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if not 1900 <= parsed.year <= 2100:
            break
        return parsed
    plan.error(
        _("%(column)s: “%(value)s” is not a date (YYYY-MM-DD or DD.MM.YYYY).") % {"column": column, "value": raw[:40]}
    )
    return None


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_decimal(plan: RowPlan, row: dict[str, Any], column: str, *, required: bool = True) -> Decimal | None:
    value = row.get(column)
    raw = _SPACES.sub("", text(row, column)).replace(",", ".") if not isinstance(value, (int, float)) else str(value)
    if not raw:
        if required:
            plan.error(_("%(column)s: required.") % {"column": column})
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        plan.error(_("%(column)s: “%(value)s” is not a number.") % {"column": column, "value": raw[:40]})
        return None
    return number.quantize(Decimal("0.01"))


def required_text(plan: RowPlan, row: dict[str, Any], column: str, *, max_length: int) -> str:
    value = text(row, column)
    if not value:
        plan.error(_("%(column)s: required.") % {"column": column})
    elif len(value) > max_length:
        plan.error(_("%(column)s: longer than %(max)s characters.") % {"column": column, "max": max_length})
    return value[:max_length]


def mark_repeats(plans: list[RowPlan]) -> None:
    """A key given twice in one file: the later rows are errors (which one would win is anybody's guess)."""
    first: dict[str, int] = {}
    for plan in plans:
        if not plan.key:
            continue
        if plan.key in first:
            plan.error(_("repeats line %(line)s.") % {"line": first[plan.key]})
        else:
            first[plan.key] = plan.line
