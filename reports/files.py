"""Where report files live and under what names (docs/decisions/reports-private-files.md).

- A report file is stored in the private storage (hrportal/storage.py: no URL serves it) under a random name,
  `reports/2026/12/holiday_work_2025-01-01_2025-12-31_<22 random characters>.xlsx`: nothing about it follows
  from the job id, so knowing or guessing a job id reveals no file. It goes out only through the download view
  (its requester and HR), which names it `holiday_work_2025-01-01_2025-12-31.xlsx`.
- The mail attaches the same file: the outbox reads attachments from the private storage too.
- Files of jobs finished before this layout keep their names in the default storage; `open_file` still finds
  them until the retention period deletes them.
"""

from __future__ import annotations

import secrets

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from hrportal.storage import private_storage
from reports.models import ReportJob

DIRECTORY = "reports"


def storage() -> Storage:
    return private_storage()


def download_name(job: ReportJob) -> str:
    """What the user's browser and mail client call the file."""
    return f"{job.kind}_{job.params.get('date_from', '')}_{job.params.get('date_to', '')}.xlsx"


def new_name(job: ReportJob) -> str:
    stem = download_name(job).removesuffix(".xlsx")
    # 128 random bits: unguessable, and unrelated to the job id or the attempt.
    return f"{DIRECTORY}/{timezone.localtime():%Y/%m}/{stem}_{secrets.token_urlsafe(16)}.xlsx"


def store(job: ReportJob, path: str) -> str:
    """Store the file at `path` for `job`; return its name."""
    with open(path, "rb") as fh:
        return storage().save(new_name(job), File(fh))


def open_file(name: str) -> File | None:
    """The stored file called `name` (private storage first, then a file of the old layout), or None."""
    for where in (storage(), default_storage):
        if where.exists(name):
            return where.open(name, "rb")
    return None


def delete(*names: str) -> None:
    """Delete report files (of either layout; a name missing from a storage is no error)."""
    for name in filter(None, names):
        storage().delete(name)
        default_storage.delete(name)
