"""Who may do what to a request: the one home of the approval rule.

For a request and a user, `permission` answers one action (on whose behalf, or why not: 403 for a user who may
not, 409 for a state that does not allow it, from the workflow table) and `allowed` every action at once — the
pages' and the admin's buttons. `chain` fixes a new request's steps, `approvers` says who decides a step,
`inbox` lists what a user decides now, and `visible`/`fetch` scope every read. The services ask `permission`
before every change; nothing else decides.

The org facts it builds on (who manages whom, deputies, HR) are staff.access's; they know nothing of requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from hrportal.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from leave.calc.working_year import UNPAID_REASONS
from requests_app import workflow
from requests_app.models import Request
from requests_app.workflow import Action
from staff import access
from staff.models import Employee
from staff.selectors import direct_reports

STARTED = "The request has already started; ask HR to cancel it."
STARTED_UI = gettext_noop("The request has already started; ask HR to cancel it.")
_REFUSED = {
    Action.APPROVE: "You cannot approve this request.",
    Action.REJECT: "You cannot reject this request.",
    Action.CANCEL: "You cannot cancel this request.",
    Action.REQUEST_CANCELLATION: "You cannot ask to cancel this request.",
    Action.CONFIRM_CANCELLATION: "You cannot decide on the cancellation of this request.",
    Action.DECLINE_CANCELLATION: "You cannot decide on the cancellation of this request.",
}


MANDATORY = gettext_noop(
    "The employer cannot refuse this unpaid leave (art. 128 part 2, art. 263): it is acknowledged, not decided."
)


SCHEDULED = gettext_noop(
    "A leave of the approved leave schedule cannot be refused (art. 123): it is only moved, by agreement with the "
    "employee, in the schedule."
)


def refusal_forbidden(request: Request) -> str | None:
    """Why nobody may reject the request (the message), or None when it may be rejected."""
    if request.kind == Request.Kind.LEAVE and request.scheduled:
        return SCHEDULED
    if cannot_be_refused(request):
        return MANDATORY
    return None


def cannot_be_refused(request: Request) -> bool:
    """An unpaid leave for a statutory reason (art. 128 part 2, art. 263): its approvers acknowledge it."""
    if request.kind != Request.Kind.LEAVE:
        return False
    reason = getattr(request.leave, "unpaid_reason", "")
    rule = UNPAID_REASONS.get(reason)
    return rule is not None and rule.mandatory


@dataclass(frozen=True)
class Allowed:
    """What one user may do to one request now, and on whose behalf a decision is taken (a deputy acts for the
    manager they stand in for)."""

    actions: frozenset[str]
    on_behalf_of: Employee | None = None

    def __contains__(self, action: object) -> bool:
        return action in self.actions


# --- reads --------------------------------------------------------------------------------------------------


def sees_every_request(user: Any) -> bool:
    """HR (an active account): `visible` is every request there is."""
    return access.is_active_user(user) and access.is_hr(user)


def visible(user: Any) -> QuerySet[Request]:
    """Requests the user may see: their own, those they filed, their managed subtree's; HR all."""
    base = Request.objects.select_related("employee", "employee__department", "created_by")
    if sees_every_request(user):
        return base.all()
    if not access.is_active_user(user):
        return base.none()
    employee = access.employee_of(user)
    if employee is None:
        return base.none()
    return base.filter(Q(employee=employee) | Q(created_by=user) | access.managed_employee_ids_q(user))


def own(user: Any) -> QuerySet[Request]:
    """The user's own requests and those they filed (the part of `visible` the dashboard lists)."""
    if not access.is_active_user(user):
        return Request.objects.none()
    mine = Q(created_by=user)
    employee = access.employee_of(user)
    if employee is not None:
        mine |= Q(employee=employee)
    return Request.objects.filter(mine)


def fetch(user: Any, request_id: Any, *, for_update: bool = False) -> Request:
    """A request the user may see (locked when `for_update`), else NotFound (404) — as for one that does not
    exist."""
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        raise NotFound("Request not found.") from None
    qs = visible(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except Request.DoesNotExist:
        raise NotFound("Request not found.") from None


# --- filing a pay-rate change -------------------------------------------------------------------------------

RATE_REFUSALS = {
    access.NOT_SELF: gettext_noop("You may not propose a rate change for this employee."),
    access.NOT_MANAGED: gettext_noop("You may not propose a rate change for this employee."),
    access.NOT_OWN_MANAGER: gettext_noop("You may not propose a pay change for a manager above you."),
    access.NOT_PRINCIPAL: gettext_noop("You may not propose a pay change for the manager you stand in for."),
}
INDEXATION_HR_ONLY = "Only HR marks a raise as part of an indexation (Regulation 922 item 16)."
BELOW_MINIMUM_HR_ONLY = gettext_noop("Only HR may confirm a salary below the minimum wage.")


def check_rate_change_filing(
    user: Any, employee: Employee, *, below_minimum_confirmed: bool = False, indexation: bool = False
) -> None:
    """May the user propose a pay change for `employee`? A refusal is a 400 on `employee` (the body's field the
    caller chose; the same answer whether or not they may see that person, so it reveals nothing); confirming a
    salary below the minimum wage, and marking a raise as part of an indexation, are HR's alone (403). The org
    facts are staff.access.rate_change_refusal's."""
    refusal = access.rate_change_refusal(user, employee)
    if refusal is not None:
        message = RATE_REFUSALS[refusal]
        raise ValidationFailed(message, field="employee", ui=(message, {}))
    if below_minimum_confirmed and not access.is_hr(user):
        raise NotAllowed(BELOW_MINIMUM_HR_ONLY)
    if indexation and not access.is_hr(user):
        raise NotAllowed(INDEXATION_HR_ONLY)


# --- the chain and its deciders -----------------------------------------------------------------------------


def chain(
    *, kind: str, employee: Employee, filer: Employee | None, needs_hr: bool, correction: bool = False
) -> list[str]:
    """The steps a new request goes through.

    Leave and trips go to the employee's manager (for a manager, the next one up; for the top head, to HR);
    certificates to HR alone, who issue them (art. 62). A pay-rate change goes to the manager, then HR — the
    manager step is already satisfied when the manager filed it; an HR correction of a recorded rate goes to HR
    alone (another member: `_decides`).
    Leave HR must agree to (art. 122, before six months of service) also goes to HR.
    """
    if correction or kind == Request.Kind.CERTIFICATE:
        return [Request.Stage.HR]  # HR issues certificates (art. 62): the line manager has nothing to decide
    manager = access.manager_of(employee)
    steps: list[str] = []
    filed_by_manager = filer is not None and manager is not None and manager.pk == filer.pk
    if manager is not None and not (kind == Request.Kind.RATE_CHANGE and filed_by_manager):
        steps.append(Request.Stage.MANAGER)
    if kind == Request.Kind.RATE_CHANGE or needs_hr or not steps:
        steps.append(Request.Stage.HR)
    return steps


def approvers(request: Request, stage: str) -> list[Employee]:
    """Who decides a request at a step: the employee's manager, or the HR group (never the employee)."""
    if stage == Request.Stage.MANAGER:
        manager = access.manager_of(request.employee)
        return [manager] if manager is not None else []
    if stage == Request.Stage.HR:
        return [e for e in access.hr_employees() if e.pk != request.employee_id]
    return []


def _decides(user: Any, request: Request, stage: str, on: dt.date) -> tuple[bool, Employee | None]:
    """Whether the user decides the request at `stage`, and on whose behalf. Nobody decides their own request,
    nor a pay change they proposed (four eyes); at the manager step the employee's manager, or a deputy whose
    delegation from that manager covers `on`; at the HR step any HR member."""
    me = access.employee_of(user)
    if me is not None and me.pk == request.employee_id:
        return False, None
    if request.kind == Request.Kind.RATE_CHANGE and request.created_by_id == user.pk:
        return False, None
    if stage == Request.Stage.HR:
        return access.is_hr(user), None
    if stage == Request.Stage.MANAGER and me is not None:
        manager = access.manager_of(request.employee)
        if manager is None:
            return False, None
        if manager.pk == me.pk:
            return True, None
        if access.deputy_for(me, manager, on):
            return True, manager
    return False, None


# --- one action, all actions --------------------------------------------------------------------------------


class _Judge:
    """Decides the actions for one user and request, asking each org fact at most once."""

    def __init__(self, user: Any, request: Request, on: dt.date | None) -> None:
        self.user, self.request, self.on = user, request, on or timezone.localdate()
        self._facts: dict[str, Any] = {}

    def _fact(self, key: str, compute: Any) -> Any:
        if key not in self._facts:
            self._facts[key] = compute()
        return self._facts[key]

    @property
    def is_hr(self) -> bool:
        return bool(self._fact("hr", lambda: access.is_hr(self.user)))

    @property
    def is_owner_or_filer(self) -> bool:
        me = access.employee_of(self.user)
        return (me is not None and me.pk == self.request.employee_id) or self.request.created_by_id == self.user.pk

    @property
    def started(self) -> bool:
        starts = self.request.start_date
        return starts is not None and starts <= timezone.localdate()

    def step_decider(self) -> tuple[bool, Employee | None]:
        return self._fact("step", lambda: _decides(self.user, self.request, self.request.stage, self.on))  # type: ignore[no-any-return]

    def cancellation_decider(self) -> tuple[bool, Employee | None]:
        """Who decides on a cancellation the employee asked for: HR, or whoever decides the request at the
        manager step."""
        if self.is_hr:
            return True, None
        return self._fact(  # type: ignore[no-any-return]
            "cancel", lambda: _decides(self.user, self.request, Request.Stage.MANAGER, self.on)
        )

    def judge(self, action: str) -> Employee | None:
        """On whose behalf the user may take `action` now (None: their own), else Conflict or NotAllowed."""
        if not access.is_active_user(self.user):
            raise NotAllowed(_REFUSED[action])
        workflow.target(self.request, action)  # 409 for a step the table does not have
        if action in (Action.APPROVE, Action.REJECT):
            allowed, on_behalf_of = self.step_decider()
            why = refusal_forbidden(self.request) if allowed and action == Action.REJECT else None
            if why is not None:
                raise Conflict(why, ui=(why, {}))
        elif action == Action.CANCEL:
            if self.request.status == Request.Status.PENDING:
                allowed, on_behalf_of = self.is_owner_or_filer or self.is_hr, None
            else:
                self._refuse_started()
                allowed, on_behalf_of = self.is_hr, None
        elif action == Action.REQUEST_CANCELLATION:
            self._refuse_started()
            allowed, on_behalf_of = self.is_owner_or_filer and not self.is_hr, None
        else:  # confirm or decline a cancellation
            self._refuse_started()
            allowed, on_behalf_of = self.cancellation_decider()
        if not allowed:
            raise NotAllowed(_REFUSED[action])
        return on_behalf_of

    def _refuse_started(self) -> None:
        """An approved absence that has begun is changed by HR alone."""
        if self.started and not self.is_hr:
            raise Conflict(STARTED, ui=(STARTED_UI, {}))


def permission(user: Any, request: Request, action: str, *, on: dt.date | None = None) -> Employee | None:
    """May the user take `action` on the request now? Returns on whose behalf (None: their own); raises
    Conflict (409) when the request's state does not allow the action, NotAllowed (403) when the user may not."""
    return _Judge(user, request, on).judge(action)


def allowed(user: Any, request: Request, *, on: dt.date | None = None) -> Allowed:
    """Every action the user may take on the request now: the buttons a page or the admin offers."""
    judge = _Judge(user, request, on)
    actions, on_behalf_of = set(), None
    for action in Action.ALL:
        if not workflow.allows(request, action):
            continue
        try:
            behalf = judge.judge(action)
        except (Conflict, NotAllowed):
            continue
        actions.add(action)
        on_behalf_of = on_behalf_of or behalf
    return Allowed(frozenset(actions), on_behalf_of)


def cancel_action(user: Any, request: Request) -> str:
    """What "cancel" means from this user now: withdraw (pending, or HR at any time), confirm the cancellation
    the employee asked for (its decider), or ask for one (the employee or the filer of an approved request)."""
    if request.status != Request.Status.APPROVED or access.is_hr(user):
        return Action.CANCEL
    if _Judge(user, request, None).is_owner_or_filer:
        return Action.REQUEST_CANCELLATION  # asked again while pending a decision: the table's 409
    if workflow.state_of(request) == workflow.CANCEL_REQUESTED:
        return Action.CONFIRM_CANCELLATION
    return Action.CANCEL


# --- the approvals inbox ------------------------------------------------------------------------------------


def inbox(user: Any, *, on: dt.date | None = None) -> QuerySet[Request]:
    """What this user decides now, as `allowed` decides it: pending requests at the HR step for HR, at the
    manager step where the employee's manager — by `manager_of`'s whole rule, however far up the head chain — is
    the user or a manager they deputise for on `on`; and approved requests whose employee asked to cancel them,
    for HR (also after the start) and for that same manager or deputy (before the start)."""
    on = on or timezone.localdate()
    me = access.employee_of(user)
    # Not one's own, by the employee's id: a join to the employees to compare logins made PostgreSQL hash every
    # employee to count HR's inbox, the badge of every HR page (9.3 ms at 30,000 people, 1.7 by id; benchmarks.md).
    not_own = ~Q(employee_id=me.pk) if me is not None else Q()
    pending = Q(status=Request.Status.PENDING) & not_own & ~Q(kind=Request.Kind.RATE_CHANGE, created_by=user)
    # An applied pay-rate change is never cancelled (workflow.allows).
    cancellation = Q(status=Request.Status.APPROVED, cancel_requested=True) & ~Q(kind=Request.Kind.RATE_CHANGE)
    q = Q(pk__in=[])
    if access.is_hr(user):
        q |= (pending & Q(stage=Request.Stage.HR)) | cancellation
    if me is not None and access.manages_anyone(user):
        ours = (pending & Q(stage=Request.Stage.MANAGER)) | (
            cancellation & not_own & Q(start_date__gt=timezone.localdate())
        )
        # Their ids, read first: as a subquery PostgreSQL read every open manager-step request of the company and
        # joined each to its employee to find the few of these people (35.1 → 10.5 ms at 30,000; scale-reads.md).
        reports = access.memo(user, f"inbox:{on}", lambda: list(_direct_reports(me, on).values_list("pk", flat=True)))
        q |= ours & Q(employee_id__in=reports)
    return visible(user).filter(q)


def _direct_reports(me: Employee, on: dt.date) -> QuerySet[Employee]:
    """The employees whose requests `me` decides at the manager step on `on`: theirs, and those of the managers
    they deputise for (`_decides`'s rule, as a query). Only these employees' requests are read: a head high in
    the tree never reads the pending requests of the whole subtree to find the few that are theirs."""
    return direct_reports({me.pk, *access.deputised_managers(me, on)})
