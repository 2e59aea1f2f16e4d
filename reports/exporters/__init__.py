"""Report kinds: each builds a `reports.xlsx.Report` (header + a generator of rows) for a scope and a period.

`build_report` is shared by the task (reports.services.report_run) and the `export_report` command, and
`export_to_file` runs the one writer over it, so both paths produce the same cells.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reports.exporters.base import ReportParams, may_run_reports, scope_q
from reports.xlsx import ProgressCallback, Report, write_report

__all__ = ["ReportParams", "build_report", "export_to_file", "may_run_reports", "scope_q"]


def build_report(*, kind: str, params: ReportParams) -> Report:
    from reports.exporters import holiday_work, leave_balances, requests_register, schedule

    builders = {
        "holiday_work": holiday_work.build,
        "leave_balances": leave_balances.build,
        "requests": requests_register.build,
        "schedule_t7": schedule.build_t7,
        "schedule_actual": schedule.build_actual,
    }
    try:
        builder = builders[kind]
    except KeyError:
        raise ValueError(f"unknown report kind {kind!r}") from None
    return builder(params)


def export_to_file(
    *,
    kind: str,
    user: Any,
    date_from: dt.date,
    date_to: dt.date,
    department_id: int | None,
    path: str | Path,
    on_progress: ProgressCallback | None = None,
    progress_every: int = 5000,
    progress_seconds: float | None = None,
    language: str | None = None,
) -> tuple[int, int]:
    """Build the report and stream it to `path`; return (data rows written, rows expected)."""
    params = ReportParams(
        user=user, date_from=date_from, date_to=date_to, department_id=department_id, language=language
    )
    report = build_report(kind=kind, params=params)
    written = write_report(
        report, path, on_progress=on_progress, progress_every=progress_every, progress_seconds=progress_seconds
    )
    return written, report.total
