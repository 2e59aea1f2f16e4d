"""Background work of documents: the zip of a period's orders (HR), the daily reminders."""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from typing import Any

from celery import shared_task
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from documents.models import Document, DocumentArchive
from hrportal.storage import open_private, private_storage

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024


def archive_documents(archive: DocumentArchive) -> Any:
    kinds = [archive.kind] if archive.kind else list(Document.ORDER_KINDS)
    return (
        Document.objects.filter(kind__in=kinds, date__gte=archive.date_from, date__lte=archive.date_to)
        .exclude(file="")
        .order_by("kind", "year", "seq")
        .values_list("pk", "kind", "number", "date", "file", "signed_file")
    )


def build_archive(archive_id: int) -> DocumentArchive:
    """Write the zip in constant memory: documents read in chunks of rows, each file copied into the zip in 1 MiB
    pieces, the zip spooled to a temporary file and then copied into the private storage the same way. A signed
    document goes in as its signed copy, with the original beside it."""
    archive = DocumentArchive.objects.get(pk=archive_id)
    count = 0
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for _pk, kind, number, date, name, signed in archive_documents(archive).iterator(chunk_size=200):
                stem = f"{kind}/{date:%Y-%m-%d}_{number.replace('/', '-')}"
                pairs = [(name, f"{stem}.pdf")] + ([(signed, f"{stem}_signed.pdf")] if signed else [])
                for stored, inside in pairs:
                    with open_private(stored) as src, zf.open(inside, "w", force_zip64=True) as dst:
                        shutil.copyfileobj(src, dst, CHUNK)
                count += 1
        spool.seek(0)
        name = f"documents/archives/{archive.date_from}_{archive.date_to}_{archive.pk}.zip"
        stored = private_storage().save(name, File(spool))
    DocumentArchive.objects.filter(pk=archive.pk).update(status=DocumentArchive.Status.DONE, file=stored, count=count)
    archive.refresh_from_db()
    return archive


@shared_task(name="documents.build_archive", queue="reports")
def build_archive_task(archive_id: int) -> None:
    try:
        build_archive(archive_id)
    except Exception as exc:
        logger.exception("document archive %s failed", archive_id)
        DocumentArchive.objects.filter(pk=archive_id).update(status=DocumentArchive.Status.FAILED, error=str(exc))
        raise


def archive_request(*, actor: Any, date_from: Any, date_to: Any, kind: str = "") -> DocumentArchive:
    with transaction.atomic():
        archive = DocumentArchive.objects.create(date_from=date_from, date_to=date_to, kind=kind, requested_by=actor)
        transaction.on_commit(lambda: build_archive_task.delay(archive.pk))
    return archive


@shared_task(name="documents.remind")
def remind(day: str | None = None) -> dict[str, int]:
    from documents.reminders import daily_reminders

    return daily_reminders(today=timezone.localdate() if day is None else timezone.datetime.fromisoformat(day).date())
