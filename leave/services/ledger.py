"""The ledger: reserve, use, release and adjust, each under a lock on the account row."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrportal import numbers
from hrportal.errors import Conflict, ValidationFailed
from leave import selectors
from leave.models import LeaveAccount, LeaveEntry, LeaveType
from staff.models import Employee

logger = logging.getLogger(__name__)

TWO_PLACES = Decimal("0.01")
MAX_LEAVE_DAYS = Decimal(366)


def _days(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(TWO_PLACES)


def lock_account(*, employee: Employee, leave_type: LeaveType) -> LeaveAccount:
    """The account row, locked for the rest of the transaction (created on first use).

    get_or_create runs in a savepoint and re-reads on IntegrityError, so two first uses at once are fine.
    """
    account = LeaveAccount.objects.select_for_update().filter(employee=employee, leave_type=leave_type).first()
    if account is None:
        LeaveAccount.objects.get_or_create(employee=employee, leave_type=leave_type)
        account = LeaveAccount.objects.select_for_update().get(employee=employee, leave_type=leave_type)
    return account


def _lock_request_account(request_id: int) -> LeaveAccount | None:
    reserve = LeaveEntry.objects.filter(request_id=request_id, kind=LeaveEntry.Kind.RESERVE).first()
    if reserve is None:
        return None
    return LeaveAccount.objects.select_for_update().get(pk=reserve.account_id)


@transaction.atomic
def leave_reserve(
    *,
    request_id: int,
    employee: Employee,
    leave_type: LeaveType | str,
    start_date: dt.date,
    end_date: dt.date,
    days: Decimal,
    actor: Any = None,
) -> LeaveEntry:
    """Hold `days` for a pending request. Idempotent per request_id.

    For a balance-keeping type, what may be held is what will have accrued by the start date (plus HR
    adjustments effective by then) minus everything used and reserved; else ValidationFailed("end_date").
    """
    leave_type = selectors.resolve_leave_type(leave_type)
    days = _days(days)
    if end_date < start_date:
        raise ValidationFailed(_("The leave cannot end before it starts."), field="end_date")
    if not (Decimal(0) < days <= MAX_LEAVE_DAYS):
        raise ValidationFailed(_("The number of days must be positive."), field="days")
    account = lock_account(employee=employee, leave_type=leave_type)
    existing = LeaveEntry.objects.filter(request_id=request_id, kind=LeaveEntry.Kind.RESERVE).first()
    if existing is not None:
        if existing.account_id != account.pk:
            raise Conflict(_("This request already holds days of another employee or leave type."))
        return existing
    if leave_type.needs_balance:
        available = selectors.balance(employee=employee, leave_type=leave_type, on=start_date).available
        if available < days:
            raise ValidationFailed(
                _("Not enough leave balance: %(available)s days available, %(requested)s requested.")
                % {"available": numbers.number(available), "requested": numbers.number(days)},
                field="end_date",
            )
    entry = LeaveEntry.objects.create(
        account=account,
        kind=LeaveEntry.Kind.RESERVE,
        days=-days,
        effective_date=start_date,
        idempotency_key=f"reserve:{request_id}",
        request_id=request_id,
        period_start=start_date,
        period_end=end_date,
        actor=actor,
    )
    logger.info(
        "leave reserved: request=%s employee=%s type=%s days=%s", request_id, employee.pk, leave_type.code, days
    )
    return entry


def _request_state(request_id: int) -> dict[str, LeaveEntry]:
    return {e.idempotency_key.split(":")[0]: e for e in LeaveEntry.objects.filter(request_id=request_id)}


@transaction.atomic
def leave_use(*, request_id: int, actor: Any = None) -> LeaveEntry:
    """Approve: the reserved days become used (release + use, one transaction). Idempotent."""
    account = _lock_request_account(request_id)
    if account is None:
        raise Conflict(_("No leave is reserved for this request."))
    state = _request_state(request_id)
    if "use" in state:
        return state["use"]
    if "release" in state:
        raise Conflict(_("The leave of this request has been released."))
    reserve = state["reserve"]
    days = -reserve.days
    common = {
        "account": account,
        "effective_date": reserve.effective_date,
        "request_id": request_id,
        "period_start": reserve.period_start,
        "period_end": reserve.period_end,
        "actor": actor,
    }
    LeaveEntry.objects.create(
        kind=LeaveEntry.Kind.RELEASE, days=days, idempotency_key=f"approve-release:{request_id}", **common
    )
    entry = LeaveEntry.objects.create(
        kind=LeaveEntry.Kind.USE, days=-days, idempotency_key=f"use:{request_id}", **common
    )
    logger.info("leave used: request=%s days=%s", request_id, days)
    return entry


@transaction.atomic
def leave_release(*, request_id: int, actor: Any = None) -> LeaveEntry | None:
    """Give the days of a request back: a pending one is released, an approved one's use reversed.

    Idempotent; None when the request never held days.
    """
    account = _lock_request_account(request_id)
    if account is None:
        return None
    state = _request_state(request_id)
    if "use-reversal" in state:
        return state["use-reversal"]
    if "release" in state:
        return state["release"]
    reserve = state["reserve"]
    common = {
        "account": account,
        "days": -reserve.days,
        "effective_date": reserve.effective_date,
        "request_id": request_id,
        "period_start": reserve.period_start,
        "period_end": reserve.period_end,
        "actor": actor,
    }
    if "use" in state:
        # Cancelled after approval: a positive `use` gives the used days back, so `used` stays a plain sum.
        entry = LeaveEntry.objects.create(
            kind=LeaveEntry.Kind.USE, idempotency_key=f"use-reversal:{request_id}", **common
        )
    else:
        entry = LeaveEntry.objects.create(
            kind=LeaveEntry.Kind.RELEASE, idempotency_key=f"release:{request_id}", **common
        )
    logger.info("leave released: request=%s kind=%s days=%s", request_id, entry.kind, entry.days)
    return entry


@transaction.atomic
def leave_adjust(
    *,
    employee: Employee,
    leave_type: LeaveType | str,
    days: Decimal,
    actor: Any,
    comment: str,
    idempotency_key: str | None = None,
    effective_date: dt.date | None = None,
) -> LeaveEntry:
    """HR's correction or grant in advance: a signed entry with a reason. Idempotent per key if given."""
    leave_type = selectors.resolve_leave_type(leave_type)
    days = _days(days)
    if days == 0:
        raise ValidationFailed(_("An adjustment must change the balance."), field="days")
    if abs(days) > MAX_LEAVE_DAYS:
        raise ValidationFailed(_("An adjustment cannot exceed %(max)s days.") % {"max": MAX_LEAVE_DAYS}, field="days")
    if not comment.strip():
        raise ValidationFailed(_("Give the reason for the adjustment."), field="comment")
    account = lock_account(employee=employee, leave_type=leave_type)
    key = f"adjustment:{idempotency_key}" if idempotency_key else f"adjustment:{uuid.uuid4()}"
    existing = LeaveEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.account_id != account.pk or existing.days != days:
            raise Conflict(_("This idempotency key was used for another adjustment."))
        return existing
    entry = LeaveEntry.objects.create(
        account=account,
        kind=LeaveEntry.Kind.ADJUSTMENT,
        days=days,
        effective_date=effective_date or timezone.localdate(),
        idempotency_key=key,
        actor=actor,
        comment=comment.strip(),
    )
    logger.info("leave adjusted: employee=%s type=%s days=%s", employee.pk, leave_type.code, days)
    return entry
