"""Writes of the leave engine: the ledger, accrual, absences and the production calendar.

Every ledger write locks the `LeaveAccount` row of its employee and leave type first
(`select_for_update`): a balance check followed by an insert would otherwise race under READ
COMMITTED, and two concurrent requests could both spend the last days. Each entry carries an
idempotency key (unique in the database), so a retried call writes nothing new.

Public interface (keyword-only, atomic):
- leave_reserve, leave_use, leave_release, leave_adjust (ledger)
- accrue, accrue_batches (accrual; accrue_batches yields after each committed batch of employees)
- absence_record, absence_cancel (absences)
- load_calendar, calendar_day_save, calendar_day_delete (production calendar)
- settlement_record (the leave settled on a dismissal)
- art124_remind (the monthly reminder of leave not used two working years running)
"""

from leave.services.absences import KEEPS_AVERAGE_BY_KIND, absence_cancel, absence_record
from leave.services.accrual import AccrualBatch, accrual_types, accrue, accrue_batches
from leave.services.calendar import (
    CalendarLoad,
    calendar_day_delete,
    calendar_day_save,
    calendar_year_confirm,
    default_calendar_years,
    load_calendar,
)
from leave.services.ledger import MAX_LEAVE_DAYS, leave_adjust, leave_release, leave_reserve, leave_use
from leave.services.reminders import art124_remind
from leave.services.settlement import settlement_record

__all__ = [
    "KEEPS_AVERAGE_BY_KIND",
    "MAX_LEAVE_DAYS",
    "AccrualBatch",
    "CalendarLoad",
    "absence_cancel",
    "absence_record",
    "accrual_types",
    "accrue",
    "accrue_batches",
    "art124_remind",
    "calendar_day_delete",
    "calendar_day_save",
    "calendar_year_confirm",
    "default_calendar_years",
    "leave_adjust",
    "leave_release",
    "leave_reserve",
    "leave_use",
    "load_calendar",
    "settlement_record",
]
