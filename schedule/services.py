"""The only writers of the schedule: open a year, propose, move and comment parts, submit a department, approve,
record the trade union's opinion, turn a part into a leave request. The notices are schedule.notices's.

Who may do what here is a question of org facts only (staff.access: HR, who manages whom); what may then be
done to the leave request a part becomes is requests_app.policy's, which knows such a request as `scheduled`.

Past 400 lines: every writer of a campaign and its parts shares `check_part` (the rules a part's dates obey) and
the lock and access helpers above it; split, they would import each other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from hrportal.dates import EARLIEST, LATEST, check_absence, check_date
from hrportal.errors import ApplicationError, Conflict, NotAllowed, NotFound, ValidationFailed
from leave import calc
from leave import selectors as leave_selectors
from leave.models import LeaveType
from notifications.services import notify
from requests_app import services as request_services
from requests_app.models import Request
from schedule.models import Campaign, Change, Part, Submission, default_approval_deadline
from staff import access
from staff.models import Department, Employee

SCHEDULED_TYPES = (leave_selectors.ANNUAL, leave_selectors.ADDITIONAL)

NOT_HR = gettext_noop("Only HR manages the leave schedule.")
NO_CAMPAIGN = gettext_noop("There is no leave schedule for %(year)s.")
ALREADY_OPEN = gettext_noop("The leave schedule for %(year)s is already open.")
ALREADY_APPROVED = gettext_noop("The leave schedule for %(year)s is already approved.")
APPROVED_CHANGE = gettext_noop(
    "The schedule is approved: a part moves only by a recorded change with a reason and the consent of the other side."
)
DEADLINE_PASSED = gettext_noop("Proposals for %(year)s closed on %(date)s: ask your manager to add the part.")
DEADLINE_ORDER = gettext_noop("The proposal deadline must come before the approval deadline.")
DEADLINE_AFTER_YEAR = gettext_noop("The deadline must come before the year %(year)s starts.")
OUTSIDE_YEAR = gettext_noop("A part of the %(year)s schedule lies within %(year)s.")
END_BEFORE_START = gettext_noop("The end date is before the start date.")
BEFORE_HIRE = gettext_noop("The part starts before the hire date (%(date)s).")
AFTER_TERMINATION = gettext_noop("The part ends after the termination date (%(date)s).")
OVERLAP = gettext_noop("These dates overlap another part of the schedule (%(start)s – %(end)s).")
BEYOND = gettext_noop(
    "Beyond the entitlement: %(available)s days for %(year)s (the working years' leave plus the days carried "
    "over), %(planned)s planned with this part."
)
NOT_SCHEDULED_TYPE = gettext_noop("The schedule plans annual and additional paid leave only.")
NOT_YOURS = gettext_noop("You may change only your own parts, or those of your team.")
NOT_IN_CAMPAIGN = gettext_noop("Your department is not in the %(year)s schedule.")
NEEDS_REASON = gettext_noop("A move of an approved part needs its reason.")
OPEN_CHANGE = gettext_noop("A move of this part already awaits consent.")
HAS_REQUEST = gettext_noop("This part is already a leave request (No. %(id)s): cancel it first to move the part.")
NOT_APPROVED_YET = gettext_noop("The schedule is not approved yet.")
NOT_OWN_PART = gettext_noop("Only the employee confirms their own leave.")
CHANGE_DECIDED = gettext_noop("This change is already decided.")
NOT_COUNTERPART = gettext_noop("The other side consents: the employee to their manager's move, the manager to theirs.")
NOT_MANAGER = gettext_noop("Only the department's head (or HR) submits its schedule.")
ALREADY_SUBMITTED = gettext_noop("This department's schedule is already submitted.")
OUTSIDE_WINDOW = gettext_noop("Give a year between %(first)s and %(last)s.")
NOTE_OR_DATE = gettext_noop("Give the date of the trade union's opinion.")


def fail(cls: type[ApplicationError], template: str, field: str | None = None, **params: Any) -> None:
    """Raise `cls` with the English text for the API and the catalogue's template for the pages."""
    shown = {k: f"{v:%d.%m.%Y}" if isinstance(v, dt.date) else v for k, v in params.items()}
    raise cls(template % shown, field=field, ui=(template, shown))


# --- reads the writers share --------------------------------------------------------------------------------


def campaign_of(year: Any, *, for_update: bool = False) -> Campaign:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise NotFound("No such schedule.") from None
    qs = Campaign.objects.select_for_update() if for_update else Campaign.objects
    campaign = qs.filter(year=year).first()
    if campaign is None:
        fail(NotFound, NO_CAMPAIGN, year=year)
    return campaign  # type: ignore[return-value]


def campaign_paths(campaign: Campaign) -> list[str] | None:
    """The department paths the campaign covers (their subtrees), None for every department."""
    paths = list(campaign.departments.values_list("path", flat=True))
    return paths or None


def in_campaign(campaign: Campaign, employee: Employee) -> bool:
    paths = campaign_paths(campaign)
    return paths is None or any(employee.department.path.startswith(p) for p in paths)


def may_manage(user: Any, employee: Employee) -> bool:
    """HR, or the employee's manager (a deputy while standing in)."""
    if access.is_hr(user):
        return True
    me = access.employee_of(user)
    return me is not None and access.manages(me, employee)


def _scheduled_type(leave_type: LeaveType | str | None) -> LeaveType:
    try:
        resolved = leave_selectors.resolve_leave_type(leave_type or leave_selectors.ANNUAL)
    except LeaveType.DoesNotExist:
        resolved = None
    if resolved is None or resolved.code not in SCHEDULED_TYPES:
        fail(ValidationFailed, NOT_SCHEDULED_TYPE, "leave_type")
    return resolved  # type: ignore[return-value]


def part_days(leave_type: LeaveType, start_date: dt.date, end_date: dt.date) -> Decimal:
    """Days charged (art. 120: public holidays inside are not counted), from the production calendar."""
    calendar = leave_selectors.production_calendar(start=start_date, end=end_date)
    length = calc.leave_length(calendar, start=start_date, end=end_date, counting=leave_type.counting)
    return Decimal(length.days_charged).quantize(Decimal("0.01"))


def available_for_year(*, employee: Employee, leave_type: LeaveType, year: int) -> Decimal:
    """What the year's parts may plan: the balance on 31 December (every working year opened by then, plus the
    days carried over, minus leave used or requested — the parts already made requests among them)."""
    return leave_selectors.balance(employee=employee, leave_type=leave_type, on=dt.date(year, 12, 31)).available


def check_part(
    *,
    campaign: Campaign,
    employee: Employee,
    leave_type: LeaveType,
    start_date: dt.date,
    end_date: dt.date,
    exclude_part: int | None = None,
) -> Decimal:
    """Every rule a part's dates obey; returns its days. 400 naming the field, 409 for an overlap."""
    check_absence(start_date, end_date)
    if end_date < start_date:
        fail(ValidationFailed, END_BEFORE_START, "end_date")
    for field, day in (("start_date", start_date), ("end_date", end_date)):
        if day.year != campaign.year:
            fail(ValidationFailed, OUTSIDE_YEAR, field, year=campaign.year)
    if start_date < employee.hire_date:
        fail(ValidationFailed, BEFORE_HIRE, "start_date", date=employee.hire_date)
    if employee.termination_date is not None and end_date > employee.termination_date:
        fail(ValidationFailed, AFTER_TERMINATION, "end_date", date=employee.termination_date)
    others = Part.objects.filter(campaign=campaign, employee=employee).exclude(pk=exclude_part)
    clash = others.filter(start_date__lte=end_date, end_date__gte=start_date).first()
    if clash is not None:
        fail(Conflict, OVERLAP, start=clash.start_date, end=clash.end_date)
    days = part_days(leave_type, start_date, end_date)
    # Parts already made requests hold their days in the ledger (pending or used): counted there, not twice.
    planned = others.filter(leave_type=leave_type, request__isnull=True).aggregate(total=Sum("days"))["total"]
    planned = (planned or Decimal("0")) + days
    available = available_for_year(employee=employee, leave_type=leave_type, year=campaign.year)
    if planned > available:
        fail(ValidationFailed, BEYOND, "end_date", available=available, planned=planned, year=campaign.year)
    return days


# --- the campaign -------------------------------------------------------------------------------------------


def check_campaign(*, year: int, proposal_deadline: dt.date, approval_deadline: dt.date | None) -> dt.date:
    """The rules of a new year's deadlines (400 naming the field); returns the approval deadline (by default 17
    December, art. 123). Shared by the service and the admin's form."""
    if not EARLIEST.year <= year <= LATEST.year:
        fail(ValidationFailed, OUTSIDE_WINDOW, "year", first=EARLIEST.year, last=LATEST.year)
    check_date(proposal_deadline, field="proposal_deadline")
    approval_deadline = approval_deadline or default_approval_deadline(year)
    check_date(approval_deadline, field="approval_deadline")
    if approval_deadline >= dt.date(year, 1, 1):
        fail(ValidationFailed, DEADLINE_AFTER_YEAR, "approval_deadline", year=year)
    if proposal_deadline > approval_deadline:
        fail(ValidationFailed, DEADLINE_ORDER, "proposal_deadline")
    if Campaign.objects.filter(year=year).exists():
        fail(Conflict, ALREADY_OPEN, year=year)
    return approval_deadline


@transaction.atomic
def campaign_open(
    *,
    actor: Any,
    year: int,
    proposal_deadline: dt.date,
    approval_deadline: dt.date | None = None,
    departments: list[Department] | None = None,
) -> Campaign:
    if not access.is_hr(actor):
        fail(NotAllowed, NOT_HR)
    approval_deadline = check_campaign(
        year=year, proposal_deadline=proposal_deadline, approval_deadline=approval_deadline
    )
    campaign = Campaign.objects.create(
        year=year, proposal_deadline=proposal_deadline, approval_deadline=approval_deadline, opened_by=actor
    )
    if departments:
        campaign.departments.set(departments)
    return campaign


@transaction.atomic
def campaign_approve(*, actor: Any, year: int) -> Campaign:
    """Approve the year (art. 123): the parts' dates become the planned dates of form T-7."""
    if not access.is_hr(actor):
        fail(NotAllowed, NOT_HR)
    campaign = campaign_of(year, for_update=True)
    if campaign.status == Campaign.Status.APPROVED:
        fail(Conflict, ALREADY_APPROVED, year=campaign.year)
    campaign.status = Campaign.Status.APPROVED
    campaign.approved_by = actor
    campaign.approved_at = timezone.now()
    campaign.save(update_fields=["status", "approved_by", "approved_at"])
    for part in Part.objects.select_for_update().filter(campaign=campaign):
        part.planned_start, part.planned_end = part.start_date, part.end_date
        part.save(update_fields=["planned_start", "planned_end", "updated_at"])
    return campaign


@transaction.atomic
def union_opinion_record(*, actor: Any, year: int, date: dt.date | None, note: str) -> Campaign:
    """Art. 372: the date and the gist of the trade union body's opinion."""
    if not access.is_hr(actor):
        fail(NotAllowed, NOT_HR)
    campaign = campaign_of(year, for_update=True)
    if date is None:
        fail(ValidationFailed, NOTE_OR_DATE, "union_opinion_date")
    check_date(date, field="union_opinion_date")  # type: ignore[arg-type]
    campaign.union_opinion_date = date
    campaign.union_opinion_note = note.strip()
    campaign.save(update_fields=["union_opinion_date", "union_opinion_note"])
    return campaign


@transaction.atomic
def department_submit(*, actor: Any, year: int, department: Department) -> Submission:
    """The department's head (a deputy standing in, or HR) hands its schedule to HR."""
    campaign = campaign_of(year, for_update=True)
    if campaign.status == Campaign.Status.APPROVED:
        fail(Conflict, ALREADY_APPROVED, year=campaign.year)
    me = access.employee_of(actor)
    heads = department.head_id is not None and me is not None and department.head_id == me.pk
    deputises = (
        me is not None and department.head is not None and access.deputy_for(me, department.head, timezone.localdate())
    )
    if not (heads or deputises or access.is_hr(actor)):
        fail(NotAllowed, NOT_MANAGER)
    if Submission.objects.filter(campaign=campaign, department=department).exists():
        fail(Conflict, ALREADY_SUBMITTED)
    return Submission.objects.create(campaign=campaign, department=department, submitted_by=actor)


# --- parts --------------------------------------------------------------------------------------------------


def _lock_employee(employee: Employee) -> None:
    # One lock per employee serialises their parts' overlap and entitlement checks (as request_create does).
    Employee.objects.select_for_update().filter(pk=employee.pk).first()


@transaction.atomic
def part_add(
    *,
    actor: Any,
    year: int,
    start_date: dt.date,
    end_date: dt.date,
    leave_type: LeaveType | str | None = None,
    employee: Employee | None = None,
) -> Part:
    """An employee proposes a part of their own leave until the deadline; their manager or HR may add one for
    them until the approval."""
    campaign = campaign_of(year)
    me = access.employee_of(actor)
    employee = employee or me
    if employee is None:
        fail(ValidationFailed, NOT_YOURS, "employee")
    assert employee is not None
    own = me is not None and me.pk == employee.pk
    if not own and not may_manage(actor, employee):
        fail(NotAllowed, NOT_YOURS)
    if campaign.status == Campaign.Status.APPROVED:
        fail(Conflict, APPROVED_CHANGE)
    if own and not may_manage(actor, employee) and timezone.localdate() > campaign.proposal_deadline:
        fail(Conflict, DEADLINE_PASSED, year=campaign.year, date=campaign.proposal_deadline)
    if not in_campaign(campaign, employee):
        fail(ValidationFailed, NOT_IN_CAMPAIGN, "employee", year=campaign.year)
    resolved = _scheduled_type(leave_type)
    _lock_employee(employee)
    days = check_part(
        campaign=campaign, employee=employee, leave_type=resolved, start_date=start_date, end_date=end_date
    )
    return Part.objects.create(
        campaign=campaign, employee=employee, leave_type=resolved, start_date=start_date, end_date=end_date, days=days
    )


def part_fetch(user: Any, part_id: Any, *, for_update: bool = False) -> Part:
    """A part the user may see (their own, their team's, HR every one), else 404."""
    try:
        pk = int(part_id)
    except (TypeError, ValueError):
        raise NotFound("Part not found.") from None
    qs = Part.objects.select_related("campaign", "employee", "employee__department", "leave_type", "request")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    part = qs.filter(pk=pk).first()
    if part is None:
        raise NotFound("Part not found.")
    me = access.employee_of(user)
    if not ((me is not None and me.pk == part.employee_id) or may_manage(user, part.employee)):
        raise NotFound("Part not found.")
    return part


def _is_own(user: Any, part: Part) -> bool:
    me = access.employee_of(user)
    return me is not None and me.pk == part.employee_id


@transaction.atomic
def part_move(*, actor: Any, part_id: int, start_date: dt.date, end_date: dt.date, reason: str = "") -> Change:
    """Move a part. Before the approval the manager (or HR) moves it at once, as the employee does their own until
    the deadline; after it the move is a proposal the other side consents to (`change_decide`)."""
    part = part_fetch(actor, part_id, for_update=True)
    campaign = part.campaign
    own, manages = _is_own(actor, part), may_manage(actor, part.employee)
    approved = campaign.status == Campaign.Status.APPROVED
    if not approved and not manages and timezone.localdate() > campaign.proposal_deadline:
        fail(Conflict, DEADLINE_PASSED, year=campaign.year, date=campaign.proposal_deadline)
    if approved:
        if not reason.strip():
            fail(ValidationFailed, NEEDS_REASON, "reason")
        if part.changes.filter(status=Change.Status.PROPOSED).exists():
            fail(Conflict, OPEN_CHANGE)
        _refuse_active_request(part)
    _lock_employee(part.employee)
    check_part(
        campaign=campaign,
        employee=part.employee,
        leave_type=part.leave_type,
        start_date=start_date,
        end_date=end_date,
        exclude_part=part.pk,
    )
    change = Change.objects.create(
        part=part,
        status=Change.Status.PROPOSED if approved else Change.Status.APPLIED,
        old_start=part.start_date,
        old_end=part.end_date,
        new_start=start_date,
        new_end=end_date,
        reason=reason.strip(),
        proposed_by=actor,
        after_approval=approved,
    )
    if not approved:
        _apply(part, change)
    else:
        _ask_consent(part, change, actor, proposer_is_employee=own and not access.is_hr(actor))
    return change


def _ask_consent(part: Part, change: Change, actor: Any, *, proposer_is_employee: bool) -> None:
    """Mail the side whose consent the move needs: the employee's manager (HR when there is none) for the
    employee's request, the employee for their manager's or HR's proposal."""
    if proposer_is_employee:
        manager = access.manager_of(part.employee)
        recipients = [manager] if manager is not None else list(access.hr_employees())
        url = reverse("schedule-team", kwargs={"year": part.campaign.year})
    else:
        recipients = [part.employee]
        url = reverse("schedule-year", kwargs={"year": part.campaign.year})
    notify(
        event="schedule_move_proposed",
        obj=change,
        recipients=[r for r in recipients if r.pk != part.employee_id or not proposer_is_employee],
        context={"change": change, "actor": actor, "employee_full_name": part.employee.full_name, "url": url},
    )


def _refuse_active_request(part: Part) -> None:
    if part.request_id and part.request.status in (Request.Status.PENDING, Request.Status.APPROVED):
        fail(Conflict, HAS_REQUEST, id=part.request_id)


def _apply(part: Part, change: Change) -> None:
    part.start_date, part.end_date = change.new_start, change.new_end
    part.days = part_days(part.leave_type, part.start_date, part.end_date)
    part.save(update_fields=["start_date", "end_date", "days", "updated_at"])


@transaction.atomic
def change_decide(*, actor: Any, change_id: int, consent: bool) -> Change:
    """The other side's answer to a move of an approved part: the employee to a move their manager or HR
    proposed, the manager (or HR) to one the employee asked for (art. 124, 125: by agreement)."""
    change = Change.objects.select_for_update().select_related("part").filter(pk=change_id).first()
    if change is None:
        raise NotFound("Change not found.")
    part = part_fetch(actor, change.part_id, for_update=True)
    if change.status != Change.Status.PROPOSED:
        fail(Conflict, CHANGE_DECIDED)
    proposer_is_employee = part.employee.user_id == change.proposed_by_id
    allowed = may_manage(actor, part.employee) if proposer_is_employee else _is_own(actor, part)
    if not allowed:
        fail(NotAllowed, NOT_COUNTERPART)
    change.decided_by = actor
    change.decided_at = timezone.now()
    if consent:
        _refuse_active_request(part)
        _lock_employee(part.employee)
        check_part(
            campaign=part.campaign,
            employee=part.employee,
            leave_type=part.leave_type,
            start_date=change.new_start,
            end_date=change.new_end,
            exclude_part=part.pk,
        )
        change.status = Change.Status.APPLIED
        _apply(part, change)
    else:
        change.status = Change.Status.DECLINED
    change.save(update_fields=["status", "decided_by", "decided_at"])
    return change


@transaction.atomic
def part_comment(*, actor: Any, part_id: int, comment: str) -> Part:
    part = part_fetch(actor, part_id, for_update=True)
    if not may_manage(actor, part.employee):
        fail(NotAllowed, NOT_YOURS)
    part.comment = comment.strip()
    part.save(update_fields=["comment", "updated_at"])
    return part


@transaction.atomic
def part_delete(*, actor: Any, part_id: int) -> None:
    part = part_fetch(actor, part_id, for_update=True)
    campaign = part.campaign
    if campaign.status == Campaign.Status.APPROVED:
        fail(Conflict, APPROVED_CHANGE)
    manages = may_manage(actor, part.employee)
    if not manages and timezone.localdate() > campaign.proposal_deadline:
        fail(Conflict, DEADLINE_PASSED, year=campaign.year, date=campaign.proposal_deadline)
    part.delete()


@transaction.atomic
def part_to_request(*, actor: Any, part_id: int, comment: str = "") -> Request:
    """The employee confirms a part of the approved schedule: a leave request prefilled from it, marked
    `scheduled` so that the approval policy refuses its rejection (art. 123: the schedule binds the employer)."""
    part = part_fetch(actor, part_id, for_update=True)
    if not _is_own(actor, part):
        fail(NotAllowed, NOT_OWN_PART)
    if part.campaign.status != Campaign.Status.APPROVED:
        fail(Conflict, NOT_APPROVED_YET)
    _refuse_active_request(part)
    if part.changes.filter(status=Change.Status.PROPOSED).exists():
        fail(Conflict, OPEN_CHANGE)
    request = request_services.request_create(
        actor=actor,
        kind=Request.Kind.LEAVE,
        leave_type=part.leave_type,
        start_date=part.start_date,
        end_date=part.end_date,
        comment=comment,
        scheduled=True,
    )
    part.request = request
    part.save(update_fields=["request", "updated_at"])
    return request
