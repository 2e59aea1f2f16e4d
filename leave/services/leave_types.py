"""The standard leave types, re-created when a flush removed the data migration's rows."""

from __future__ import annotations

import importlib

from django.db import transaction

from leave.models import LeaveType


@transaction.atomic
def ensure_leave_types() -> int:
    """Create any missing standard leave type (as migration 0002 does); returns how many were created.

    Needed after a database flush (transactional tests) removes the migration's data.
    """
    standard = importlib.import_module("leave.migrations.0002_standard_leave_types").STANDARD_TYPES
    created = 0
    for values in standard:
        _, was_created = LeaveType.objects.get_or_create(code=values["code"], defaults=values)
        created += was_created
    return created
