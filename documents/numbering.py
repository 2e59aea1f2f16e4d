"""Document numbers: one register row per (kind, year), taken under its row lock in the transaction that makes
the document. Two approvals at once queue on the lock; a rolled-back transaction gives its number back with
everything else, so the register has no gaps and never repeats a number."""

from __future__ import annotations

from django.db import transaction

from documents.models import DocumentRegister

SUFFIXES = {
    "leave_order": "о",
    "trip_order": "к",
    "rate_order": "лс",
    "rate_agreement": "дс",
    "employment_certificate": "сп",
    "leave_notice": "у",
    "uploaded": "д",
}


def take_number(*, kind: str, year: int) -> tuple[int, str]:
    """The next number of the (kind, year) register: (sequence, the printed number such as `12-о`). Must run
    inside the transaction that saves the document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number() must run inside the transaction that saves the document")
    # The first document of a year creates its row; a concurrent first waits on the unique index and then
    # inserts nothing.
    DocumentRegister.objects.bulk_create([DocumentRegister(kind=kind, year=year)], ignore_conflicts=True)
    register = DocumentRegister.objects.select_for_update().get(kind=kind, year=year)
    register.last_number += 1
    register.save(update_fields=["last_number"])
    return register.last_number, f"{register.last_number}-{SUFFIXES[kind]}"
