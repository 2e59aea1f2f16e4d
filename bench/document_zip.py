"""The zip of a period's orders stays flat in memory: Python's peak allocation while building it, 20 documents
against 400 (20× the bytes), in one run.

    .venv/bin/python bench/document_zip.py [--small 20] [--large 400] [--kib 256]

A throwaway SQLite database and private folder under a temporary directory; each document's file is `--kib` KiB of
random (incompressible) bytes, so the zip is as large as its input. Measures `documents.tasks.build_archive` with
tracemalloc (the peak of Python allocations during the build) and prints both peaks and their ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--large", type=int, default=400)
    parser.add_argument("--kib", type=int, default=256)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hrportal-zip-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.db'}"
    os.environ["PRIVATE_MEDIA_ROOT"] = str(work / "private")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrportal.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from documents.models import Document, DocumentArchive
    from documents.tasks import build_archive
    from hrportal.storage import private_storage

    call_command("migrate", verbosity=0)
    user = User.objects.create(username="bench")
    storage = private_storage()

    def run(count: int, year: int) -> tuple[int, float, int]:
        for seq in range(1, count + 1):
            name = storage.save(f"documents/{year}/{seq}.pdf", ContentFile(os.urandom(args.kib * 1024)))
            Document.objects.create(
                kind="leave_order",
                seq=seq,
                year=year,
                number=f"{seq}-о",
                date=dt.date(year, 1, 1),
                title="bench",
                file=name,
                sha256="0" * 64,
                status="issued",
                created_by=user,
            )
        archive = DocumentArchive.objects.create(
            date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31), requested_by=user
        )
        tracemalloc.start()
        started = time.perf_counter()
        done = build_archive(archive.pk)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert done.count == count
        return peak, elapsed, storage.size(done.file.name)

    small = run(args.small, 2030)
    large = run(args.large, 2031)
    for label, count, (peak, elapsed, size) in (("small", args.small, small), ("large", args.large, large)):
        print(f"{label}: {count} documents, zip {size / 2**20:.1f} MiB, peak {peak / 2**20:.2f} MiB, {elapsed:.2f} s")
    print(f"peak large / peak small: {large[0] / small[0]:.2f}x (input {args.large / args.small:.0f}x)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
