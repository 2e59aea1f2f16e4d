"""Reminders of pending requests: a request that has waited at its step for REQUEST_REMIND_AFTER_WORKING_DAYS
working days reminds its approvers once a day; from REQUEST_ESCALATE_AFTER_WORKING_DAYS on, the approvers' own
managers (or HR, when they have none) hear of it too.

Working days are the production calendar's (leave.selectors.production_calendar): a request filed on Friday
has waited one working day on Monday, and nobody is reminded on a day off. Each mail goes through the outbox
with the date in its key (notify's `occasion`), so a second run on the same day queues nothing new.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from leave.selectors import production_calendar
from notifications.services import notify
from requests_app import policy
from requests_app.models import Request
from requests_app.workflow import Action
from staff import access
from staff.models import Employee

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderRun:
    day: dt.date
    reminded: int = 0  # requests whose approvers were reminded today
    escalated: int = 0  # requests escalated today


def remind_after() -> int:
    return int(settings.HRPORTAL["REQUEST_REMIND_AFTER_WORKING_DAYS"])


def escalate_after() -> int:
    return int(settings.HRPORTAL["REQUEST_ESCALATE_AFTER_WORKING_DAYS"])


def pending_reminders(*, today: dt.date | None = None) -> ReminderRun:
    """Remind and escalate what has waited too long, as of `today` (default: the local date). The settings are
    read now, so a change applies from the next run. Each request is its own transaction: one that fails to
    queue does not hold back the others."""
    today = today or timezone.localdate()
    first, last = remind_after(), escalate_after()
    waiting = list(
        Request.objects.filter(status=Request.Status.PENDING)
        .annotate(step_since=Max("events__at"))
        .select_related("employee", "employee__department")
        .order_by("pk")
    )
    if not waiting:
        return ReminderRun(day=today)
    since = {r.pk: timezone.localdate(r.step_since) if r.step_since else r.created_at.date() for r in waiting}
    calendar = production_calendar(start=min(since.values()), end=today)
    if not calendar.is_working_day(today):
        return ReminderRun(day=today)
    reminded = escalated = 0
    for request in waiting:
        start = since[request.pk]
        # Working days after the day it reached this step, up to today.
        days = calendar.working_days(start + dt.timedelta(days=1), today) if start < today else 0
        if days < first:
            continue
        try:
            escalating = _remind(request, days=days, since=start, today=today, escalate=days >= last)
        except Exception:
            logger.exception("reminder of request %s failed; the next run tries again", request.pk)
            continue
        reminded += 1
        escalated += escalating
    logger.info("pending requests on %s: %s reminded, %s escalated", today, reminded, escalated)
    return ReminderRun(day=today, reminded=reminded, escalated=escalated)


@transaction.atomic
def _remind(request: Request, *, days: int, since: dt.date, today: dt.date, escalate: bool) -> bool:
    """Queue today's reminder to the approvers of the request's step (and, at the manager step, the manager's
    deputies of today) and, when `escalate`, today's mail to whom the approvers answer to. Returns whether it
    escalated."""
    approvers = policy.approvers(request, request.stage)
    if request.stage == Request.Stage.MANAGER and approvers:
        approvers += list(
            Employee.objects.filter(
                delegations_taken__manager=approvers[0],
                delegations_taken__start_date__lte=today,
                delegations_taken__end_date__gte=today,
            ).select_related("user")
        )
    # Only who may decide it now (not the HR member who filed a pay change: four eyes).
    approvers = [a for a in approvers if a.user_id and Action.APPROVE in policy.allowed(a.user, request, on=today)]
    context = {"request": request, "waiting_days": days, "waiting_since": since}
    occasion = today.isoformat()
    if approvers:
        notify(event="request_reminder", obj=request, recipients=approvers, context=context, occasion=occasion)
    if not escalate:
        return False
    deciders = {a.pk for a in approvers} | {request.employee_id}
    above = {m.pk: m for m in (access.manager_of(a) for a in approvers) if m is not None and m.pk not in deciders}
    recipients = list(above.values()) or [e for e in access.hr_employees() if e.pk not in deciders]
    if not recipients:
        return False
    notify(
        event="request_escalated",
        obj=request,
        recipients=recipients,
        context={**context, "approver_names": ", ".join(a.full_name for a in approvers)},
        occasion=occasion,
    )
    return True
