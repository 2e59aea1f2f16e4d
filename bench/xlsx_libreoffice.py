"""Each report kind, as exported, converted to PDF by LibreOffice: the files open in something other than openpyxl.

    .venv/bin/python bench/xlsx_libreoffice.py [--employees 200] [--database bench_xlsx_lo] [--reuse] [--keep DIR]

Needs Debian's LibreOffice (`apt-get install -y libreoffice-calc-nogui`: `soffice`), so it is a bench step and
not part of `make test` (CI does not install LibreOffice). The script recreates its own database (unless
`--reuse`), migrates it, loads the production calendars and seeds the demo organisation (`seed_demo`), then
writes every report kind for the operator's full view (`reports.exporters.export_to_file`, the task's writer)
over the demo's period, and one more file of hostile cells (formula-like text, a 32 767-character cell, every
script of text), and runs `soffice --headless --convert-to pdf` on each in a fresh LibreOffice profile. It prints
per file: data rows, .xlsx size, soffice's exit status and time, the PDF's size and page count; it exits non-zero
if any conversion failed or produced no PDF.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stack import database_url, django_env, recreate_database  # noqa: E402

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


def prepare(database: str, employees: int, reuse: bool) -> None:
    from django.core.management import call_command

    from hrportal.celery import ensure_broker_folders

    ensure_broker_folders()  # the demo's mail is queued (never sent) on the filesystem broker
    if not reuse:
        recreate_database(database)
    call_command("migrate", verbosity=0)
    call_command("load_calendar", verbosity=0)
    call_command("seed_demo", employees=employees, verbosity=0)


def hostile(path: Path) -> int:
    from reports.xlsx import DATE, MONEY, Report, SummaryRow, write_report

    rows = [
        ("=1+1", '=HYPERLINK("http://evil.example","x")', dt.date(2025, 1, 1), Decimal("1234567.89")),
        ("+7 (495) 000-00-00", "@SUM(1)", dt.date(1992, 1, 1), Decimal("0.01")),
        ("Ж" * 32767, "日本語 · عربي · Ελληνικά · 😀", dt.date(2100, 12, 31), Decimal("-5.5")),
        ("-", "\t=1", None, None),
        SummaryRow(("Итого", "", None, Decimal("1234562.40"))),
    ]
    report = Report(
        kind="hostile",
        title="Hostile",
        header=["=text", "text", "date", "money"],
        rows=iter(rows),
        total=4,
        formats=[None, None, DATE, MONEY],
    )
    return write_report(report, path)


def export_all(out: Path) -> list[tuple[str, Path, int]]:
    from django.utils import timezone

    from reports.exporters import export_to_file

    today = timezone.localdate()
    periods = {
        "holiday_work": (today - dt.timedelta(days=400), today),
        "leave_balances": (today.replace(day=1), today),
        "requests": (today - dt.timedelta(days=400), today),
    }
    files = []
    for kind, (date_from, date_to) in periods.items():
        path = out / f"{kind}.xlsx"
        written, _ = export_to_file(
            kind=kind, user=None, date_from=date_from, date_to=date_to, department_id=None, path=path, language="ru"
        )
        files.append((kind, path, written))
    path = out / "hostile.xlsx"
    files.append(("hostile", path, hostile(path)))
    return files


def convert(path: Path, profile: Path) -> tuple[int, float, Path, str]:
    started = time.monotonic()
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(path.parent),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result.returncode, time.monotonic() - started, path.with_suffix(".pdf"), result.stderr.strip()


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--database", default="bench_xlsx_lo")
    parser.add_argument("--reuse", action="store_true", help="keep the database's data (no recreate)")
    parser.add_argument("--keep", type=Path, help="write the files here (kept) instead of a temporary folder")
    args = parser.parse_args()
    if not Path(SOFFICE).exists():
        sys.exit("soffice not found: apt-get install -y libreoffice-calc-nogui")

    django_env(DATABASE_URL=database_url(args.database))
    import django

    django.setup()
    prepare(args.database, args.employees, args.reuse)

    with tempfile.TemporaryDirectory(prefix="xlsx-lo-") as scratch:
        out = args.keep or Path(scratch) / "files"
        out.mkdir(parents=True, exist_ok=True)
        version = subprocess.run([SOFFICE, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"{version}; database {args.database}, {args.employees} employees")
        failed = 0
        for kind, path, rows in export_all(out):
            code, seconds, pdf, stderr = convert(path, Path(scratch) / "profile")
            ok = code == 0 and pdf.exists() and pdf.stat().st_size > 0
            failed += not ok
            pages = pdf_pages(pdf) if pdf.exists() else 0
            print(
                f"  {kind:15} rows {rows:6}  xlsx {path.stat().st_size / 1024:8.1f} KB  soffice exit {code}"
                f"  {seconds:5.1f} s  pdf {pdf.stat().st_size / 1024 if pdf.exists() else 0:8.1f} KB"
                f"  {pages:4} page(s)  {'ok' if ok else 'FAILED ' + stderr[-300:]}"
            )
    print("all converted" if not failed else f"{failed} conversion(s) FAILED")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
