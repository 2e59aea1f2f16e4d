"""Absences: periods not worked, excluded from vacation pay; unpaid ones shift the working year."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrportal.errors import ValidationFailed
from leave import selectors
from leave.models import Absence, LeaveType
from staff.models import Employee

logger = logging.getLogger(__name__)

# Averages kept for leave and business trips (art. 114, 167); sick, maternity and child-care leave are paid
# by the Social Fund, not at average earnings by us; unpaid leave, absence without good cause and suspension
# are not paid at all.
KEEPS_AVERAGE_BY_KIND = {
    Absence.Kind.LEAVE: True,
    Absence.Kind.BUSINESS_TRIP: True,
    Absence.Kind.SICK: False,
    Absence.Kind.UNPAID: False,
    Absence.Kind.MATERNITY: False,
    Absence.Kind.CHILD_CARE: False,
    Absence.Kind.NO_GOOD_CAUSE: False,
    Absence.Kind.SUSPENSION: False,
}


@transaction.atomic
def absence_record(
    *,
    employee: Employee,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    request_id: int | None = None,
    leave_type: LeaveType | str | None = None,
    keeps_average: bool | None = None,
    comment: str = "",
    unpaid_reason: str = "",
) -> Absence:
    """Record a period not worked (excluded from vacation pay; unpaid leave also shifts the working year).

    With `leave_type`, its absence kind and pay rule win (an unpaid leave request is an `unpaid`
    absence). Idempotent per request_id; recording a request again with other dates cancels the old row.
    """
    if leave_type is not None:
        leave_type = selectors.resolve_leave_type(leave_type)
        kind = leave_type.absence_kind
        if keeps_average is None:
            keeps_average = leave_type.paid and leave_type.keeps_average_earnings
    if kind not in Absence.Kind.values:
        raise ValidationFailed(_("Unknown absence kind %(kind)s.") % {"kind": kind}, field="kind")
    if end_date < start_date:
        raise ValidationFailed(_("The absence cannot end before it starts."), field="end_date")
    if keeps_average is None:
        keeps_average = KEEPS_AVERAGE_BY_KIND[kind]
    if unpaid_reason and (kind != Absence.Kind.UNPAID or unpaid_reason not in Absence.UnpaidReason.values):
        raise ValidationFailed(
            _("Unknown unpaid leave reason %(reason)s (art. 128).") % {"reason": unpaid_reason}, field="unpaid_reason"
        )
    # One employee's absences change one at a time.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    if request_id is not None:
        current = Absence.objects.select_for_update().filter(request_id=request_id, cancelled_at__isnull=True).first()
        if current is not None:
            same = (current.employee_id, current.kind, current.start_date, current.end_date, current.keeps_average)
            if same == (employee.pk, kind, start_date, end_date, keeps_average):
                return current
            current.cancelled_at = timezone.now()
            current.save(update_fields=["cancelled_at"])
    absence = Absence.objects.create(
        employee=employee,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        keeps_average=keeps_average,
        request_id=request_id,
        comment=comment,
        unpaid_reason=unpaid_reason,
    )
    logger.info(
        "absence recorded: employee=%s kind=%s %s–%s request=%s", employee.pk, kind, start_date, end_date, request_id
    )
    return absence


@transaction.atomic
def absence_cancel(*, request_id: int) -> int:
    """Cancel the active absence of a request (the row stays, with cancelled_at). Idempotent: 0 if none."""
    rows = list(Absence.objects.select_for_update().filter(request_id=request_id, cancelled_at__isnull=True))
    now = timezone.now()
    for absence in rows:
        absence.cancelled_at = now
        absence.save(update_fields=["cancelled_at"])
    return len(rows)
