"""The only way to change a request. Each service locks, checks, writes its history row and queues
its notifications in one transaction (zulip's do_* actions, Django-Styleguide services).

Past 400 lines: every change of a request (filing of four kinds, the approval steps, cancellation and its decision)
shares the same lock, history and outbox helpers.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from hrportal.dates import check_absence, check_date
from hrportal.errors import Conflict, NotAllowed, ValidationFailed
from leave import selectors as leave_selectors
from leave import services as leave_services
from leave.models import Absence, LeaveType
from notifications.services import notify
from requests_app import policy, selectors, workflow
from requests_app.models import (
    CertificateDetails,
    LeaveDetails,
    RateChangeDetails,
    Request,
    RequestEvent,
    RequestTally,
    TripDetails,
)
from requests_app.signals import request_approved
from requests_app.workflow import Action
from staff import access
from staff.models import Employee
from staff.selectors import rate_on
from staff.services import pay_rate_record, validate_rate

logger = logging.getLogger(__name__)

OVERLAP_MESSAGE = "These dates overlap another pending or approved absence of this employee (request #{id})."
OVERLAP_UI = gettext_noop("These dates overlap another pending or approved absence of this employee (request #%(id)s).")
# The database's refusal (the exclusion constraint) does not say which request it met.
OVERLAP_NO_ID = "These dates overlap another pending or approved absence of this employee."
EXCLUSION_VIOLATION = "23P01"
ALREADY_APPROVED_STEP = "You have already approved this request; it now waits for the next step."
ALREADY_APPROVED_STEP_UI = gettext_noop("You have already approved this request; it now waits for the next step.")


def _record(
    *,
    request: Request,
    action: str,
    actor: Any,
    from_status: str,
    comment: str = "",
    on_behalf_of: Employee | None = None,
) -> RequestEvent:
    if from_status != request.status:
        _tally(request.kind, from_status, request.status)
    return RequestEvent.objects.create(
        request=request,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        stage=request.stage,
        from_status=from_status,
        to_status=request.status,
        comment=comment,
    )


def _tally(kind: str, from_status: str, to_status: str) -> None:
    """Move one request of `kind` from one status's count to another's (from "": a new request). A count is the
    sum of its rows ("slots"): the move takes a slot no other transaction holds (SKIP LOCKED) or adds one, so it
    never waits for a lock. A waiting counter deadlocked filings (issue 20's PostgreSQL restart test): HR's
    filing held HR's employee row and waited for the count, which an employee's filing held while it wrote a
    mail to HR, which waited for HR's row."""
    for status, step in [(from_status, -1), (to_status, 1)] if from_status else [(to_status, 1)]:
        free = RequestTally.objects.select_for_update(skip_locked=True).filter(kind=kind, status=status)
        if not RequestTally.objects.filter(pk__in=Subquery(free.values("pk")[:1])).update(count=F("count") + step):
            RequestTally.objects.create(kind=kind, status=status, count=step)  # every slot busy (or none yet)


def tally_counts() -> dict[tuple[str, str], int]:
    """How many requests of each kind are in each status, counted: {(kind, status): n}."""
    rows = Request.objects.order_by().values_list("kind", "status").annotate(n=Count("pk"))
    return {(kind, status): n for kind, status, n in rows}


def tallied_counts() -> dict[tuple[str, str], int]:
    """The same from the tallies (each the sum of its slots), as HR's requests list reads them."""
    rows = RequestTally.objects.order_by().values_list("kind", "status").annotate(n=Sum("count"))
    return {(kind, status): n for kind, status, n in rows}


def tally_drift() -> dict[tuple[str, str], tuple[int, int]]:
    """The kinds and statuses whose tally differs from a COUNT of the requests: {(kind, status): (tallied,
    counted)}; empty when they agree (`manage.py recount_requests --check`)."""
    have, found = tallied_counts(), tally_counts()
    return {
        key: (have.get(key, 0), found.get(key, 0))
        for key in set(have) | set(found)
        if have.get(key, 0) != found.get(key, 0)
    }


@transaction.atomic
def tally_recount() -> None:
    """Count the requests afresh into one slot per kind and status: after a writer that inserts requests without
    the services (the demo seeds' bulk inserts), a database restored from elsewhere, or the deployment of
    requests_app 0010 (the old code's filings between the migration and the new code's start moved no tally):
    `manage.py recount_requests`. The tallies' table is locked against moves for the count (a move in flight
    commits first, the next one waits): run it when little is filed."""
    if connection.vendor == "postgresql":  # SQLite has one writer at a time anyway
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RequestTally._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    found = tally_counts()
    RequestTally.objects.all().delete()
    RequestTally.objects.bulk_create(
        RequestTally(kind=kind, status=status, count=found.get((kind, status), 0))
        for kind in Request.Kind.values
        for status in Request.Status.values
    )


def _notify(
    event: str, request: Request, recipients: list[Employee], actor: Any, comment: str = "", *, new: bool = False
) -> None:
    recipients = [r for r in recipients if r is not None]
    if recipients:
        context: dict[str, Any] = {"request": request, "actor": actor, "comment": comment}
        if request.kind == Request.Kind.RATE_CHANGE:
            # One rendering for all recipients: the current pay only when every one of them may see it (HR, the
            # employee); a manager deciding the first step gets the new rate alone.
            rate = selectors.stored_comparison(request)
            sees_pay = access.salary_viewers(recipients, request.employee) == {r.pk for r in recipients}
            context["rate"] = rate if sees_pay else rate.without_current()
        notify(event=event, obj=request, recipients=recipients, context=context, new_object=new)


def _check_no_overlap(*, employee: Employee, start_date: dt.date, end_date: dt.date) -> None:
    clash = (
        Request.objects.filter(
            employee=employee,
            kind__in=Request.ABSENCE_KINDS,
            status__in=[Request.Status.PENDING, Request.Status.APPROVED],
            start_date__lte=end_date,
            end_date__gte=start_date,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if clash is not None:
        raise Conflict(OVERLAP_MESSAGE.format(id=clash), ui=(OVERLAP_UI, {"id": clash}))


def _is_exclusion_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == EXCLUSION_VIOLATION or "request_no_overlapping_absence" in str(exc)


BEFORE_HIRE = gettext_noop("The dates start before the hire date (%(date)s).")
AFTER_TERMINATION = gettext_noop("The dates end after the termination date (%(date)s).")


def _validate_dates(employee: Employee, start_date: dt.date | None, end_date: dt.date | None) -> None:
    """An absence lies inside the portal's date window, is at most a year long, and inside the employee's
    employment. One that started before it was filed is accepted and shown to the approver as such
    (docs/decisions/backdated-requests.md)."""
    if start_date is None or end_date is None:
        return
    if end_date < start_date:
        raise ValidationFailed("The end date is before the start date.", field="end_date")
    check_absence(start_date, end_date)
    if start_date < employee.hire_date:
        params = {"date": f"{employee.hire_date:%d.%m.%Y}"}
        raise ValidationFailed(BEFORE_HIRE % params, field="start_date", ui=(BEFORE_HIRE, params))
    if employee.termination_date is not None and end_date > employee.termination_date:
        params = {"date": f"{employee.termination_date:%d.%m.%Y}"}
        raise ValidationFailed(AFTER_TERMINATION % params, field="end_date", ui=(AFTER_TERMINATION, params))


@transaction.atomic
def request_create(
    *,
    actor: Any,
    kind: str,
    employee: Employee | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    comment: str = "",
    leave_type: LeaveType | None = None,
    destination: str = "",
    purpose: str = "",
    certificate_type: str = "",
    copies: int = 1,
    effective_date: dt.date | None = None,
    fte: Decimal | None = None,
    salary: Decimal | None = None,
    correction: bool = False,
    unpaid_reason: str = "",
    indexation: bool = False,
    below_minimum_wage_confirmed: bool = False,
    below_minimum_wage_reason: str = "",
    scheduled: bool = False,
) -> Request:
    """File a request. Leave, trips and certificates are filed for oneself; a pay-rate change by
    the employee's manager (from today on) or by HR (any date from the hire date). A `correction` is HR's
    change of a recorded rate: it needs a reason (the comment) and another HR member's approval."""
    me = access.employee_of(actor)
    if kind not in Request.Kind.values:
        raise ValidationFailed(f"Unknown kind {kind!r}.", field="kind")
    if kind == Request.Kind.RATE_CHANGE:
        if employee is None:
            raise ValidationFailed("This field is required.", field="employee")
        policy.check_rate_change_filing(
            actor, employee, below_minimum_confirmed=below_minimum_wage_confirmed, indexation=indexation
        )
        if effective_date is None or fte is None or salary is None:
            raise ValidationFailed("effective_date, fte and salary are required.", field="non_field_errors")
        validate_rate(fte=fte, salary=salary)
        if not access.is_hr(actor) and effective_date < timezone.localdate():
            raise ValidationFailed("A manager proposes changes from today on.", field="effective_date")
        check_date(effective_date, field="effective_date")
        if effective_date < employee.hire_date:
            raise ValidationFailed("A rate cannot start before the hire date.", field="effective_date")
        if correction and not access.is_hr(actor):
            raise NotAllowed("Only HR corrects recorded rates.")
        if correction and not comment.strip():
            raise ValidationFailed("A correction needs its reason.", field="reason")
        comparison = selectors.rate_comparison(employee=employee, effective_date=effective_date, fte=fte, salary=salary)
        below_minimum_wage_reason = _check_minimum_wage(
            comparison, effective_date, confirmed=below_minimum_wage_confirmed, reason=below_minimum_wage_reason
        )
        start_date = end_date = None
    else:
        if me is None:
            raise ValidationFailed("Only employees file requests for themselves.", field="employee")
        if employee is not None and employee.pk != me.pk:
            raise ValidationFailed("You can only file this request for yourself.", field="employee")
        employee = me
        if kind in Request.ABSENCE_KINDS and (start_date is None or end_date is None):
            raise ValidationFailed("This field is required.", field="start_date" if start_date is None else "end_date")
    _validate_dates(employee, start_date, end_date)

    # One lock per employee serialises their concurrent filings (balance and overlap checks);
    # on PostgreSQL the exclusion constraint backs the overlap rule even without it.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()

    quote = None
    needs_hr = False
    if kind == Request.Kind.LEAVE:
        if leave_type is None:
            raise ValidationFailed("This field is required.", field="leave_type")
        quote = leave_selectors.quote(
            employee=employee, leave_type=leave_type, start_date=start_date, end_date=end_date
        )
        needs_hr = bool(getattr(quote, "needs_hr", False))
        unpaid_reason = _check_unpaid_reason(employee, leave_type, unpaid_reason, start_date, end_date)
    if kind in Request.ABSENCE_KINDS:
        _check_no_overlap(employee=employee, start_date=start_date, end_date=end_date)

    stages = policy.chain(kind=kind, employee=employee, filer=me, needs_hr=needs_hr, correction=correction)
    request = Request(
        kind=kind,
        employee=employee,
        status=Request.Status.PENDING,
        stage=stages[0],
        stages=stages,
        start_date=start_date,
        end_date=end_date,
        comment=comment,
        created_by=actor,
        scheduled=scheduled and kind == Request.Kind.LEAVE,
    )
    # No savepoint of its own: on an error nothing more is written here, and this function's atomic block
    # rolls the whole filing back (the exclusion constraint's violation leaves as a Conflict).
    try:
        request.save()
    except IntegrityError as exc:
        if _is_exclusion_violation(exc):
            raise Conflict(OVERLAP_NO_ID) from None
        raise

    if kind == Request.Kind.LEAVE:
        assert quote is not None and leave_type is not None
        LeaveDetails.objects.create(
            request=request,
            leave_type=leave_type,
            days=quote.days_charged,
            quote=quote.as_json(),
            unpaid_reason=unpaid_reason,
        )
        if leave_type.needs_balance:
            leave_services.leave_reserve(
                request_id=request.pk,
                employee=employee,
                leave_type=leave_type,
                start_date=start_date,
                end_date=end_date,
                days=quote.days_charged,
                actor=actor,
            )
    elif kind == Request.Kind.BUSINESS_TRIP:
        if not destination.strip() or not purpose.strip():
            raise ValidationFailed(
                {"destination": ["This field is required."]}
                if not destination.strip()
                else {"purpose": ["This field is required."]}
            )
        TripDetails.objects.create(request=request, destination=destination.strip(), purpose=purpose.strip())
    elif kind == Request.Kind.CERTIFICATE:
        if certificate_type not in CertificateDetails.Type.values:
            raise ValidationFailed(f"Unknown certificate type {certificate_type!r}.", field="certificate_type")
        if not 1 <= copies <= 10:
            raise ValidationFailed("From 1 to 10 copies.", field="copies")
        CertificateDetails.objects.create(request=request, certificate_type=certificate_type, copies=copies)
    else:
        RateChangeDetails.objects.create(
            request=request,
            effective_date=effective_date,
            fte=fte,
            salary=salary,
            previous_fte=comparison.previous_fte,
            previous_salary=comparison.previous_salary,
            previous_effective_date=comparison.last_change,
            below_minimum_wage_reason=below_minimum_wage_reason,
            indexation=indexation,
        )

    _record(request=request, action=RequestEvent.Action.CREATED, actor=actor, from_status="", comment=comment)
    _notify("request_created", request, policy.approvers(request, request.stage), actor, comment, new=True)
    logger.info("request %s created: kind=%s employee=%s stages=%s", request.pk, kind, employee.pk, stages)
    return request


BELOW_MINIMUM = (
    "The salary is below the minimum wage × FTE on %(date)s: at least %(floor)s RUB. HR may confirm a lower "
    "salary with a reason (an apprentice, for instance)."
)
BELOW_MINIMUM_UI = gettext_noop(
    "The salary is below the minimum wage × FTE on %(date)s: at least %(floor)s RUB. HR may confirm a lower "
    "salary with a reason (an apprentice, for instance)."
)
BELOW_MINIMUM_REASON = gettext_noop("Say why the salary may be below the minimum wage.")
NOT_BELOW_MINIMUM = gettext_noop("The salary is not below the minimum wage: there is nothing to confirm.")


def _check_minimum_wage(
    comparison: selectors.RateComparison, effective_date: dt.date, *, confirmed: bool, reason: str
) -> str:
    """Art. 133: a salary below the floor of its effective date (selectors.minimum_wage_floor) is a 400 on
    `salary`, unless HR confirms it with a reason (the policy already refused a confirmation from anyone else).
    Returns the reason to record (empty for a salary at or above the floor)."""
    if not comparison.below_minimum:
        if confirmed:
            raise ValidationFailed(NOT_BELOW_MINIMUM, field="below_minimum_wage_confirmed")
        return ""
    if not confirmed:
        params = {"date": f"{effective_date:%d.%m.%Y}", "floor": f"{comparison.floor:.2f}"}
        raise ValidationFailed(BELOW_MINIMUM % params, field="salary", ui=(BELOW_MINIMUM_UI, params))
    if not reason.strip():
        raise ValidationFailed(BELOW_MINIMUM_REASON, field="below_minimum_wage_reason")
    return reason.strip()


UNPAID_ONLY = gettext_noop("A reason is given for unpaid leave only (art. 128).")


def _check_unpaid_reason(
    employee: Employee, leave_type: LeaveType, reason: str, start_date: dt.date, end_date: dt.date
) -> str:
    """The reason of an unpaid leave (art. 128; `agreement` when none is given), checked against its yearly or
    per-event limit counting the employee's other pending requests of that reason (leave.selectors raises the
    400 naming the article). Other leave types take no reason."""
    if leave_type.absence_kind != LeaveType.AbsenceKind.UNPAID:
        if reason:
            raise ValidationFailed(UNPAID_ONLY, field="unpaid_reason", ui=(UNPAID_ONLY, {}))
        return ""
    reason = reason or Absence.UnpaidReason.AGREEMENT
    pending = LeaveDetails.objects.filter(
        request__employee=employee,
        request__status=Request.Status.PENDING,
        unpaid_reason=reason,
        request__start_date__year=start_date.year,
    ).values_list("request__start_date", "request__end_date")
    pending_days = Decimal(sum((min(e, dt.date(start_date.year, 12, 31)) - s).days + 1 for s, e in pending))
    leave_selectors.unpaid_leave_check(
        employee=employee, reason=reason, start_date=start_date, end_date=end_date, pending_days=pending_days
    )
    return reason


def _lock(request_id: int) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("employee", "employee__department")
        .get(pk=request_id)
    )


def _apply_approval_effects(*, request: Request, actor: Any) -> None:
    if request.kind == Request.Kind.LEAVE:
        details = request.leave
        if details.leave_type.needs_balance:
            leave_services.leave_use(request_id=request.pk, actor=actor)
        leave_services.absence_record(
            employee=request.employee,
            kind="leave",
            start_date=request.start_date,
            end_date=request.end_date,
            request_id=request.pk,
            leave_type=details.leave_type,
            unpaid_reason=details.unpaid_reason,
        )
    elif request.kind == Request.Kind.BUSINESS_TRIP:
        leave_services.absence_record(
            employee=request.employee,
            kind="business_trip",
            start_date=request.start_date,
            end_date=request.end_date,
            request_id=request.pk,
        )
    elif request.kind == Request.Kind.RATE_CHANGE and not rate_change_awaits_agreement(request):
        rate_change_apply(request_id=request.pk, actor=actor)


def rate_change_awaits_agreement(request: Request) -> bool:
    """Art. 72: a change of pay takes effect once the employee signed the supplementary agreement (documents
    applies it then); HR's correction of the record (filed by HR, decided by HR alone) changes no terms."""
    correction = request.stages == [Request.Stage.HR] and access.is_hr(request.created_by)
    return bool(settings.HRPORTAL["RATE_CHANGE_ON_SIGNED_AGREEMENT"]) and not correction


@transaction.atomic
def rate_change_apply(*, request_id: int, actor: Any) -> Request:
    """Record the pay rate of an approved rate change (once; a second call changes nothing)."""
    request = _lock(request_id)
    details = request.rate_change
    if request.status != Request.Status.APPROVED or details.pay_rate_id is not None or details.superseded_by_id:
        return request  # a change superseded before its agreement was signed never takes effect
    replaced = rate_on(request.employee, details.effective_date)
    details.previous_fte = replaced.fte if replaced is not None else None
    details.previous_salary = replaced.salary if replaced is not None else None
    details.previous_effective_date = replaced.effective_date if replaced is not None else None
    details.pay_rate = pay_rate_record(
        employee=request.employee,
        effective_date=details.effective_date,
        fte=details.fte,
        salary=details.salary,
        actor=actor,
        comment=f"request #{request.pk}",
        indexation=details.indexation,
    )
    details.save(update_fields=["pay_rate", "previous_fte", "previous_salary", "previous_effective_date"])
    return request


# The history names the other request by number alone; the action says the rest, in the reader's language.
SUPERSEDED_BY = SUPERSEDES = "#{id}"


def _supersede_same_date(*, request: Request, actor: Any) -> None:
    """One approved change per employee and effective date: the approved, not superseded changes of the same date
    are marked superseded by this one, and both histories say so (PayRate's partial unique constraint already
    keeps one current rate row; this makes the replacement explicit on the requests). The employee row is locked by
    the caller's pay_rate_record too; the detail rows are locked here."""
    details = request.rate_change
    older = list(
        RateChangeDetails.objects.select_for_update()
        .select_related("request")
        .filter(
            request__employee_id=request.employee_id,
            request__status=Request.Status.APPROVED,
            effective_date=details.effective_date,
            superseded_by__isnull=True,
        )
        .exclude(request_id=request.pk)
        .order_by("request_id")
    )
    for old in older:
        old.superseded_by = request
        old.save(update_fields=["superseded_by"])
        old_request = old.request
        _record(
            request=old_request,
            action=RequestEvent.Action.SUPERSEDED,
            actor=actor,
            from_status=old_request.status,
            comment=SUPERSEDED_BY.format(id=request.pk),
        )
        _record(
            request=request,
            action=RequestEvent.Action.SUPERSEDES,
            actor=actor,
            from_status=request.status,
            comment=SUPERSEDES.format(id=old_request.pk),
        )
        logger.info("rate change %s supersedes %s", request.pk, old_request.pk)


def _take(request_id: int, actor: Any, action: str) -> tuple[Request, Employee | None]:
    """Lock the request and ask the policy whether the actor may take `action` now (409 for a step the
    workflow table does not have, 403 for an actor who may not); returns it and on whose behalf."""
    request = _lock(request_id)
    return request, policy.permission(actor, request, action)


@transaction.atomic
def request_approve(*, request_id: int, actor: Any, comment: str = "") -> Request:
    request = _lock(request_id)
    try:
        on_behalf_of = policy.permission(actor, request, Action.APPROVE)
    except NotAllowed:
        if request.events.filter(action=RequestEvent.Action.APPROVED_STEP, actor=actor).exists():
            raise Conflict(ALREADY_APPROVED_STEP, ui=(ALREADY_APPROVED_STEP_UI, {})) from None
        raise
    from_status = request.status
    if workflow.target(request, Action.APPROVE) == Request.Status.PENDING:
        _record(
            request=request,
            action=RequestEvent.Action.APPROVED_STEP,
            actor=actor,
            from_status=from_status,
            comment=comment,
            on_behalf_of=on_behalf_of,
        )
        request.stage = workflow.next_stage(request) or Request.Stage.DONE
        request.save(update_fields=["stage", "updated_at"])
        _notify("request_created", request, policy.approvers(request, request.stage), actor, comment)
        return request
    request.status = Request.Status.APPROVED
    request.stage = Request.Stage.DONE
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "stage", "decided_at", "updated_at"])
    _apply_approval_effects(request=request, actor=actor)
    _record(
        request=request,
        action=RequestEvent.Action.APPROVED,
        actor=actor,
        from_status=from_status,
        comment=comment,
        on_behalf_of=on_behalf_of,
    )
    if request.kind == Request.Kind.RATE_CHANGE:
        _supersede_same_date(request=request, actor=actor)
    _notify("request_approved", request, [request.employee], actor, comment)
    _tell_the_others_of_the_decision(request, actor, comment)
    request_approved.send(sender=Request, request=request, actor=actor)
    return request


@transaction.atomic
def request_reject(*, request_id: int, actor: Any, comment: str = "") -> Request:
    request, on_behalf_of = _take(request_id, actor, Action.REJECT)
    request.stage = Request.Stage.DONE
    _close(
        request,
        status=Request.Status.REJECTED,
        action=RequestEvent.Action.REJECTED,
        actor=actor,
        comment=comment,
        on_behalf_of=on_behalf_of,
        also_saved=("stage",),
    )
    _notify("request_rejected", request, [request.employee], actor, comment)
    _tell_the_others_of_the_decision(request, actor, comment)
    return request


def _tell_the_others_of_the_decision(request: Request, actor: Any, comment: str) -> None:
    """Beyond the employee: whoever filed the request for them (the manager who proposed a pay-rate change, or
    HR) hears the final decision; HR hears of a decided certificate, which it issues (until certificates get a
    workflow of their own)."""
    approved = request.status == Request.Status.APPROVED
    if request.created_by_id is not None:
        filer = Employee.objects.filter(user_id=request.created_by_id).first()
        if filer is not None and filer.pk != request.employee_id:
            notify(
                event="request_approved" if approved else "request_rejected",
                obj=request,
                recipients=[filer],
                context={"request": request, "actor": actor, "comment": comment, "filed_by_you": True},
            )
    if request.kind == Request.Kind.CERTIFICATE:
        hr = [e for e in access.hr_employees() if e.pk != request.employee_id and e.user_id != actor.pk]
        if hr:
            notify(
                event="certificate_decided",
                obj=request,
                recipients=hr,
                context={
                    "request": request,
                    "actor": actor,
                    "comment": comment,
                    "approved": approved,
                    "copies": request.certificate.copies,
                },
            )


def _close(
    request: Request,
    *,
    status: str,
    action: str,
    actor: Any,
    comment: str,
    on_behalf_of: Employee | None,
    also_saved: tuple[str, ...] = (),
) -> str:
    """Give a request its final status (with `also_saved`, fields the caller set), give a leave's days back
    and record the event. Returns the status it had."""
    from_status = request.status
    request.status = status
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at", "updated_at", *also_saved])
    if request.kind == Request.Kind.LEAVE and request.leave.leave_type.needs_balance:
        leave_services.leave_release(request_id=request.pk, actor=actor)
    _record(
        request=request,
        action=action,
        actor=actor,
        from_status=from_status,
        comment=comment,
        on_behalf_of=on_behalf_of,
    )
    return from_status


@transaction.atomic
def request_cancel(*, request_id: int, actor: Any, comment: str = "") -> Request:
    """ "Cancel", as the policy reads it from this actor: a pending request is withdrawn by the employee (or the
    filer, or HR) at once; of an approved one not yet started the employee asks and the approver confirms; HR
    cancels directly."""
    request = _lock(request_id)
    action = policy.cancel_action(actor, request)
    on_behalf_of = policy.permission(actor, request, action)
    if action == Action.REQUEST_CANCELLATION:
        request.cancel_requested = True
        request.save(update_fields=["cancel_requested", "updated_at"])
        _record(
            request=request,
            action=RequestEvent.Action.CANCEL_REQUESTED,
            actor=actor,
            from_status=request.status,
            comment=comment,
        )
        _notify("request_cancel_requested", request, _cancellation_deciders(request), actor, comment)
        return request
    return _cancel(request, actor=actor, comment=comment, on_behalf_of=on_behalf_of)


@transaction.atomic
def request_confirm_cancellation(*, request_id: int, actor: Any, comment: str = "") -> Request:
    """Confirm the cancellation the employee asked for (the inbox's "Confirm"): unlike `request_cancel`, a 409
    when no cancellation awaits a decision any more — HR pressing it must not cancel a request whose
    cancellation someone has just declined."""
    request, on_behalf_of = _take(request_id, actor, Action.CONFIRM_CANCELLATION)
    return _cancel(request, actor=actor, comment=comment, on_behalf_of=on_behalf_of)


def _cancel(request: Request, *, actor: Any, comment: str, on_behalf_of: Employee | None) -> Request:
    """Cancel a locked request the policy let the actor cancel: give its days back, undo an approved absence,
    tell the employee (and their manager when the employee withdrew it)."""
    request.stage = Request.Stage.DONE
    request.cancel_requested = False
    from_status = _close(
        request,
        status=Request.Status.CANCELLED,
        action=RequestEvent.Action.CANCELLED,
        actor=actor,
        comment=comment,
        on_behalf_of=on_behalf_of,
        also_saved=("stage", "cancel_requested"),
    )
    if request.kind in Request.ABSENCE_KINDS and from_status == Request.Status.APPROVED:
        leave_services.absence_cancel(request_id=request.pk)
    recipients = [request.employee]
    me = access.employee_of(actor)
    if me is not None and me.pk == request.employee_id:
        recipients.append(access.manager_of(request.employee))
    _notify("request_cancelled", request, recipients, actor, comment)
    return request


@transaction.atomic
def request_decline_cancellation(*, request_id: int, actor: Any, comment: str = "") -> Request:
    """Decline the cancellation the employee asked for: the request stays approved, and the employee is told."""
    request, on_behalf_of = _take(request_id, actor, Action.DECLINE_CANCELLATION)
    request.cancel_requested = False
    request.save(update_fields=["cancel_requested", "updated_at"])
    _record(
        request=request,
        action=RequestEvent.Action.CANCEL_DECLINED,
        actor=actor,
        from_status=request.status,
        comment=comment,
        on_behalf_of=on_behalf_of,
    )
    _notify("request_cancel_declined", request, [request.employee], actor, comment)
    return request


def _cancellation_deciders(request: Request) -> list[Employee]:
    """Who is asked to confirm a cancellation: the manager step's decider, else HR."""
    stage = Request.Stage.MANAGER if Request.Stage.MANAGER in request.stages else Request.Stage.HR
    return policy.approvers(request, stage)
