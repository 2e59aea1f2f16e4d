from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from notifications.models import OutboxMessage
from requests_app import services as request_services


@pytest.fixture(autouse=True)
def _private_files(settings: Any, tmp_path: Path) -> None:
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def approved_trip(cast: Any, *, start: str = "2026-06-01", end: str = "2026-06-03", employee: Any = None) -> Any:
    """A business trip filed by the employee and approved by their manager (the T-9 order is made)."""
    import datetime as dt

    import time_machine

    employee = employee or cast.employee
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=True):
        request = request_services.request_create(
            actor=employee.user,
            kind="business_trip",
            start_date=dt.date.fromisoformat(start),
            end_date=dt.date.fromisoformat(end),
            destination="Новосибирск",
            purpose="Переговоры с поставщиком",
        )
        request_services.request_approve(request_id=request.pk, actor=cast.manager.user)
    return request


def last_code(employee: Any) -> str:
    """The one-time code of the newest code mail to the employee, as they would read it."""
    message = OutboxMessage.objects.filter(event="document_code", recipient=employee).order_by("-pk").first()
    assert message is not None, "no code mail"
    return re.search(r"\b(\d{6})\b", message.content.body_text).group(1)  # type: ignore[union-attr]


def pdf_text(path: str) -> str:
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def hr_admin(cast: Any) -> Any:
    """The cast's HR person as HR works in the admin: staff flag and the `hr` group's permissions."""
    from staff.services import hr_group_ensure

    hr_group_ensure()
    cast.hr.user.is_staff = True
    cast.hr.user.save(update_fields=["is_staff"])
    return cast.hr
