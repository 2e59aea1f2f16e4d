"""The daily job of the schedule (`send_due_notices`, Celery beat and the management command) and the signing of
a notice.

- Art. 123 part 3: from 14 days before a part of an approved schedule starts, the employee gets a `Notice`
  (mail and a page) to acknowledge. One notice per part and start date (a unique constraint), written in its own
  short transaction together with its outbox row, so a run killed halfway keeps what it finished and a rerun
  does the rest: each notice, and its one mail, exactly once.
- Art. 136: the approved paid leave starting within three days goes to payroll in a `PayrollList`, each leave
  once (`PayrollLine.key` is unique), with the days and the vacation pay of the quote; a leave approved, or
  listed, less than three days before its start is flagged late (art. 124 part 2 lets the employee ask to move
  it).
- After the proposal deadline of an open schedule: one reminder to each employee without a part, one to the
  head of each department not submitted (the outbox's unique key makes each one once per schedule).

A missed day is caught up: every window is "up to N days ahead", not "exactly N days ahead".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from hrportal.errors import Conflict, NotAllowed, NotFound
from leave import selectors as leave_selectors
from notifications.models import OutboxMessage
from notifications.services import Address, notify
from requests_app.models import Request
from schedule.models import Acknowledgement, Campaign, Notice, Part, PayrollLine, PayrollList, Submission
from schedule.services import campaign_paths, fail
from staff import access
from staff.models import Department, Employee

logger = logging.getLogger(__name__)

ALREADY_ACKNOWLEDGED = gettext_noop("You have already acknowledged this notice.")
NOT_YOUR_NOTICE = gettext_noop("Only the employee acknowledges their notice.")


@dataclass
class RunResult:
    notices: int = 0
    payroll_lines: int = 0
    reminders: int = 0


def send_due_notices(*, on: dt.date) -> RunResult:
    """Everything due on `on`; idempotent (a second run finds nothing left to send)."""
    result = RunResult()
    for part_id in due_parts(on=on):
        result.notices += notice_issue(part_id=part_id, on=on)
    result.payroll_lines = payroll_list_send(on=on)
    result.reminders = proposal_reminders(on=on)
    logger.info(
        "schedule notices for %s: %s notices, %s payroll lines, %s reminders",
        on,
        result.notices,
        result.payroll_lines,
        result.reminders,
    )
    return result


# --- art. 123: the notice ------------------------------------------------------------------------------------


def due_parts(*, on: dt.date) -> list[int]:
    """Parts of approved schedules starting after `on` and within the notice period, without a notice of their
    current start date."""
    until = on + dt.timedelta(days=settings.HRPORTAL["SCHEDULE_NOTICE_DAYS"])
    noticed = Notice.objects.filter(part=OuterRef("pk"), start_date=OuterRef("start_date"))
    return list(
        Part.objects.filter(
            campaign__status=Campaign.Status.APPROVED,
            start_date__gt=on,
            start_date__lte=until,
            employee__termination_date__isnull=True,
        )
        .filter(~Exists(noticed))
        .order_by("start_date", "pk")
        .values_list("pk", flat=True)
    )


def notice_issue(*, part_id: int, on: dt.date) -> int:
    """Write one part's notice and queue its mail in one transaction; 0 when another run has already done it."""
    try:
        with transaction.atomic():
            part = Part.objects.select_related("employee").select_for_update(of=("self",)).get(pk=part_id)
            if Notice.objects.filter(part=part, start_date=part.start_date).exists():
                return 0
            notice = Notice.objects.create(
                part=part,
                employee=part.employee,
                start_date=part.start_date,
                end_date=part.end_date,
                days=part.days,
                issued_on=on,
            )
            notify(event="leave_notice", obj=notice, recipients=[part.employee], context={"notice": notice})
    except (Part.DoesNotExist, IntegrityError):
        return 0
    return 1


def unacknowledged(*, on: dt.date) -> Any:
    """Notices not signed when their leave is HRPORTAL["SCHEDULE_HR_ALERT_DAYS"] days away or nearer (HR then
    hands the paper notice over)."""
    until = on + dt.timedelta(days=settings.HRPORTAL["SCHEDULE_HR_ALERT_DAYS"])
    return (
        Notice.objects.filter(acknowledgement__isnull=True, start_date__gte=on, start_date__lte=until)
        .select_related("employee", "employee__department")
        .order_by("start_date", "pk")
    )


def visible_notices(user: Any) -> Any:
    """The user's own notices; HR sees every one (to print it)."""
    qs = Notice.objects.select_related("employee", "employee__department", "acknowledgement", "acknowledgement__user")
    if access.is_hr(user):
        return qs
    me = access.employee_of(user)
    return qs.filter(employee=me) if me is not None else qs.none()


def notice_fetch(user: Any, notice_id: Any) -> Notice:
    try:
        return visible_notices(user).get(pk=int(notice_id))
    except (Notice.DoesNotExist, TypeError, ValueError):
        raise NotFound("Notice not found.") from None


@transaction.atomic
def notice_acknowledge(*, actor: Any, notice_id: Any, ip_address: str | None, user_agent: str) -> Acknowledgement:
    """The employee signs their notice (a simple electronic signature: who, when, from where). HR may see a
    notice but not sign it for the employee (403); someone else's is not found (404)."""
    notice = notice_fetch(actor, notice_id)
    Notice.objects.select_for_update().filter(pk=notice.pk).first()
    me = access.employee_of(actor)
    if me is None or me.pk != notice.employee_id:
        fail(NotAllowed, NOT_YOUR_NOTICE)
    if Acknowledgement.objects.filter(notice=notice).exists():
        fail(Conflict, ALREADY_ACKNOWLEDGED)
    return Acknowledgement.objects.create(
        notice=notice, user=actor, ip_address=ip_address or None, user_agent=(user_agent or "")[:400]
    )


# --- art. 136: the payroll list ------------------------------------------------------------------------------


def payroll_recipients() -> list[Address]:
    raw = settings.HRPORTAL["SCHEDULE_PAYROLL_EMAIL"]
    return [Address(email=email.strip(), full_name="payroll") for email in raw.split(",") if email.strip()]


@dataclass
class _Leave:
    key: str
    employee: Employee
    start_date: dt.date
    end_date: dt.date
    days: Decimal
    vacation_pay: Decimal | None
    approved_on: dt.date


def _starting(on: dt.date) -> list[_Leave]:
    """Approved paid leave starting from `on` to three days ahead: leave requests, and parts of approved schedules
    not (or no longer) made a request."""
    until = on + dt.timedelta(days=settings.HRPORTAL["SCHEDULE_PAY_DAYS"])
    leaves = []
    requests = Request.objects.filter(
        kind=Request.Kind.LEAVE,
        status=Request.Status.APPROVED,
        start_date__gte=on,
        start_date__lte=until,
        leave__leave_type__paid=True,
    ).select_related("employee", "leave", "schedule_part")
    for request in requests:
        part = getattr(request, "schedule_part", None)
        key = f"part:{part.pk}:{request.start_date}" if part is not None else f"request:{request.pk}"
        pay = request.leave.quote.get("vacation_pay")
        decided = timezone.localtime(request.decided_at).date() if request.decided_at else on
        leaves.append(
            _Leave(
                key=key,
                employee=request.employee,
                start_date=request.start_date,
                end_date=request.end_date,
                days=request.leave.days,
                vacation_pay=Decimal(pay) if pay not in (None, "") else None,
                approved_on=decided,
            )
        )
    active = Q(request__isnull=True) | ~Q(request__status__in=[Request.Status.PENDING, Request.Status.APPROVED])
    parts = Part.objects.filter(
        active, campaign__status=Campaign.Status.APPROVED, start_date__gte=on, start_date__lte=until
    ).select_related("employee", "leave_type", "campaign")
    for part in parts:
        quote = leave_selectors.quote(
            employee=part.employee, leave_type=part.leave_type, start_date=part.start_date, end_date=part.end_date
        )
        leaves.append(
            _Leave(
                key=f"part:{part.pk}:{part.start_date}",
                employee=part.employee,
                start_date=part.start_date,
                end_date=part.end_date,
                days=part.days,
                vacation_pay=quote.vacation_pay,
                approved_on=timezone.localtime(part.campaign.approved_at).date() if part.campaign.approved_at else on,
            )
        )
    return leaves


def payroll_list_send(*, on: dt.date) -> int:
    """List for payroll the leave starting within three days not listed before, and mail the list once; returns
    the lines written (0 on a rerun)."""
    leaves = _starting(on)
    listed = set(PayrollLine.objects.filter(key__in=[leave.key for leave in leaves]).values_list("key", flat=True))
    new = [leave for leave in leaves if leave.key not in listed]
    recipients = payroll_recipients()
    if not new or not recipients:
        return 0
    pay_days = settings.HRPORTAL["SCHEDULE_PAY_DAYS"]
    try:
        with transaction.atomic():
            payroll_list = PayrollList.objects.create(date=on)
            lines = PayrollLine.objects.bulk_create(
                [
                    PayrollLine(
                        payroll_list=payroll_list,
                        key=leave.key,
                        employee=leave.employee,
                        start_date=leave.start_date,
                        end_date=leave.end_date,
                        days=leave.days,
                        vacation_pay=leave.vacation_pay,
                        late=(leave.start_date - max(on, leave.approved_on)).days < pay_days,
                    )
                    for leave in new
                ]
            )
            notify(
                event="payroll_list",
                obj=payroll_list,
                recipients=recipients,
                context={"lines": lines, "until": on + dt.timedelta(days=pay_days), "payroll_list": payroll_list},
            )
    except IntegrityError:  # a concurrent run listed them first
        return 0
    return len(lines)


# --- reminders after the proposal deadline -------------------------------------------------------------------


def proposal_reminders(*, on: dt.date) -> int:
    sent = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.OPEN, proposal_deadline__lt=on):
        with transaction.atomic():
            without_parts = ~Exists(Part.objects.filter(campaign=campaign, employee=OuterRef("pk")))
            silent = _not_told("schedule_not_proposed", campaign, campaign_employees(campaign).filter(without_parts))
            if silent:
                sent += len(
                    notify(
                        event="schedule_not_proposed",
                        obj=campaign,
                        recipients=silent,
                        context={"campaign": campaign, "url": f"/schedule/{campaign.year}/"},
                    )
                )
            late = late_departments(campaign)
            heads: dict[int, tuple[Employee, list[str]]] = {}
            for department in late:
                if department.head is not None:
                    heads.setdefault(department.head.pk, (department.head, []))[1].append(department.name)
            untold = {e.pk for e in _not_told("schedule_department_late", campaign, [h for h, _ in heads.values()])}
            for head, names in heads.values():
                if head.pk not in untold:
                    continue
                sent += len(
                    notify(
                        event="schedule_department_late",
                        obj=campaign,
                        recipients=[head],
                        context={
                            "campaign": campaign,
                            "departments": ", ".join(names),
                            "url": f"/schedule/{campaign.year}/team/",
                        },
                    )
                )
    return sent


def _not_told(event: str, campaign: Campaign, people: Any) -> list[Employee]:
    """Those of `people` the event's mail about this campaign has not been queued for yet (the outbox's key would
    refuse a second row anyway; this only keeps a rerun from rendering the mail again)."""
    told = set(
        OutboxMessage.objects.filter(event=event, object_key=f"schedule.campaign:{campaign.pk}").values_list(
            "recipient_email", flat=True
        )
    )
    return [person for person in people if (person.email or "").strip() not in told]


def campaign_employees(campaign: Campaign) -> Any:
    """The employees a schedule covers: in its departments' subtrees (all by default), employed during the year."""
    qs = Employee.objects.filter(hire_date__lte=campaign.last_day, user__is_active=True).filter(
        Q(termination_date__isnull=True) | Q(termination_date__gte=campaign.first_day)
    )
    paths = campaign_paths(campaign)
    if paths is not None:
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(department__path__startswith=path)
        qs = qs.filter(q)
    return qs


def late_departments(campaign: Campaign) -> list[Department]:
    """Departments with employees in the schedule, headed, and not submitted."""
    ids = set(campaign_employees(campaign).values_list("department_id", flat=True))
    submitted = Submission.objects.filter(campaign=campaign).values_list("department_id", flat=True)
    return list(
        Department.objects.filter(pk__in=ids, head__isnull=False).exclude(pk__in=submitted).select_related("head")
    )
