"""Working-day mornings: HR hears of certificates due today or overdue (art. 62), and employees who still have
documents to sign are reminded. Idempotent per day (the date is each mail's outbox occasion)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from documents import selectors
from leave.selectors import production_calendar
from notifications.services import notify
from staff import access


def daily_reminders(*, today: dt.date) -> dict[str, int]:
    if not production_calendar(start=today, end=today).is_working_day(today):
        return {"certificates": 0, "documents": 0}
    due = [d for d in selectors.certificates_due(today=today) if d.due <= today]
    reminded = 0
    with transaction.atomic():
        for item in due:
            hr = [e for e in access.hr_employees() if e.pk != item.request.employee_id]
            notify(
                event="certificate_due",
                obj=item.request,
                recipients=hr,
                context={"request": item.request, "due": item.due, "overdue": item.overdue},
                occasion=str(today),
            )
        for document in selectors.unsigned().filter(date__lt=today):
            signed = {s.signer_id for s in document.signatures.all()}
            waiting = [e for e in document.employees.all() if e.pk not in signed]
            if waiting:
                notify(
                    event="document_to_sign",
                    obj=document,
                    recipients=waiting,
                    context={"document": document, "reminder": True},
                    occasion=str(today),
                )
                reminded += 1
    return {"certificates": len(due), "documents": reminded}
