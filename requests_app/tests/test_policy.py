"""The approval policy and the workflow table: every (state, action) pair through the table, and what each role
may do to a request in each state (role × state × action)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from hrportal.errors import Conflict, NotAllowed
from requests_app import policy, services, workflow
from requests_app.models import Request
from requests_app.workflow import Action
from staff.models import Delegation

TODAY = dt.date(2026, 3, 2)
TRIP = {"start_date": dt.date(2026, 4, 6), "end_date": dt.date(2026, 4, 8), "destination": "Омск", "purpose": "Аудит"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _in_state(cast, state: str) -> Request:
    """A business trip of `cast.employee` (chain: the manager) brought to `state` through the services."""
    request = services.request_create(actor=cast.employee.user, kind=Request.Kind.BUSINESS_TRIP, **TRIP)
    rid = request.pk
    if state in (Request.Status.APPROVED, workflow.CANCEL_REQUESTED):
        services.request_approve(request_id=rid, actor=cast.manager.user)
    if state == workflow.CANCEL_REQUESTED:
        services.request_cancel(request_id=rid, actor=cast.employee.user)
    if state == Request.Status.REJECTED:
        services.request_reject(request_id=rid, actor=cast.manager.user)
    if state == Request.Status.CANCELLED:
        services.request_cancel(request_id=rid, actor=cast.employee.user)
    fresh = Request.objects.select_related("employee__department").get(pk=rid)
    assert workflow.state_of(fresh) == state
    return fresh


# Who would take each action if the state allowed it: the table decides first, whoever asks.
ACTOR_FOR = {
    Action.APPROVE: "manager",
    Action.REJECT: "manager",
    Action.CANCEL: "hr",
    Action.REQUEST_CANCELLATION: "employee",
    Action.CONFIRM_CANCELLATION: "manager",
    Action.DECLINE_CANCELLATION: "manager",
}
SERVICE_FOR = {
    Action.APPROVE: services.request_approve,
    Action.REJECT: services.request_reject,
    Action.CANCEL: services.request_cancel,
    Action.REQUEST_CANCELLATION: services.request_cancel,
    Action.CONFIRM_CANCELLATION: services.request_cancel,
    Action.DECLINE_CANCELLATION: services.request_decline_cancellation,
}


@pytest.mark.parametrize("action", Action.ALL)
@pytest.mark.parametrize("state", workflow.STATES)
def test_every_state_action_pair_goes_through_the_table(cast, state, action) -> None:
    """A pair in the table moves the request to the table's state through its service; any other pair is a 409
    for the actor who could otherwise take it, and changes nothing."""
    request = _in_state(cast, state)
    actor = getattr(cast, ACTOR_FOR[action]).user
    events_before = request.events.count()
    if (state, action) in workflow.TRANSITIONS:
        expected = workflow.target(request, action)
        SERVICE_FOR[action](request_id=request.pk, actor=actor)
        request.refresh_from_db()
        assert workflow.state_of(request) == expected
        assert request.events.count() == events_before + 1
    else:
        with pytest.raises(Conflict):
            policy.permission(actor, request, action)
        with pytest.raises(Conflict):
            workflow.target(request, action)
        assert action not in policy.allowed(actor, request)
        request.refresh_from_db()
        assert workflow.state_of(request) == state
        assert request.events.count() == events_before


NONE: frozenset[str] = frozenset()
# role → state → the actions `allowed` offers (the page's and the admin's buttons).
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "employee": {
        "pending": frozenset({Action.CANCEL}),
        "approved": frozenset({Action.REQUEST_CANCELLATION}),
        "cancel_requested": NONE,
        "rejected": NONE,
        "cancelled": NONE,
    },
    "manager": {
        "pending": frozenset({Action.APPROVE, Action.REJECT}),
        "approved": NONE,
        "cancel_requested": frozenset({Action.CONFIRM_CANCELLATION, Action.DECLINE_CANCELLATION}),
        "rejected": NONE,
        "cancelled": NONE,
    },
    "deputy": {
        "pending": frozenset({Action.APPROVE, Action.REJECT}),
        "approved": NONE,
        "cancel_requested": frozenset({Action.CONFIRM_CANCELLATION, Action.DECLINE_CANCELLATION}),
        "rejected": NONE,
        "cancelled": NONE,
    },
    "hr": {
        "pending": frozenset({Action.CANCEL}),  # the manager step is the manager's, not HR's
        "approved": frozenset({Action.CANCEL}),
        "cancel_requested": frozenset({Action.CANCEL, Action.CONFIRM_CANCELLATION, Action.DECLINE_CANCELLATION}),
        "rejected": NONE,
        "cancelled": NONE,
    },
    "ceo": {state: NONE for state in workflow.STATES},  # the manager's boss decides nothing of the team's
    "outsider": {state: NONE for state in workflow.STATES},
    "other_manager": {state: NONE for state in workflow.STATES},
}


@pytest.mark.parametrize("state", workflow.STATES)
@pytest.mark.parametrize("role", list(MATRIX))
def test_role_state_action_matrix(cast, role, state) -> None:
    """`allowed` offers exactly the matrix's actions, and `permission` agrees with it action by action: an
    offered action is permitted (a deputy on the manager's behalf), any other refused with 403 or 409."""
    Delegation.objects.create(manager=cast.manager, deputy=cast.sub_manager, start_date=TODAY, end_date=TODAY)
    request = _in_state(cast, state)
    user = (cast.sub_manager if role == "deputy" else getattr(cast, role)).user
    allowed = policy.allowed(user, request)
    assert allowed.actions == MATRIX[role][state]
    for action in Action.ALL:
        if action in allowed:
            behalf = policy.permission(user, request, action)
            assert behalf == (cast.manager if role == "deputy" and action != Action.CANCEL else None)
        else:
            with pytest.raises((Conflict, NotAllowed)):
                policy.permission(user, request, action)


def test_an_approved_absence_that_has_started_is_changed_by_hr_alone(cast) -> None:
    request = _in_state(cast, Request.Status.APPROVED)
    with time_machine.travel(dt.datetime(2026, 4, 7, 9, 0, tzinfo=dt.UTC), tick=False):
        assert policy.allowed(cast.employee.user, request).actions == NONE
        with pytest.raises(Conflict):
            policy.permission(cast.employee.user, request, Action.REQUEST_CANCELLATION)
        assert policy.allowed(cast.hr.user, request).actions == {Action.CANCEL}


def test_an_applied_rate_change_is_never_cancelled(cast) -> None:
    request = services.request_create(
        actor=cast.manager.user,
        kind=Request.Kind.RATE_CHANGE,
        employee=cast.employee,
        effective_date=TODAY,
        fte=1,
        salary=150_000,
    )
    services.request_approve(request_id=request.pk, actor=cast.hr.user)
    request.refresh_from_db()
    assert request.status == Request.Status.APPROVED
    assert policy.allowed(cast.hr.user, request).actions == NONE
    with pytest.raises(Conflict):
        services.request_cancel(request_id=request.pk, actor=cast.hr.user)


def test_declining_a_cancellation_keeps_the_request_and_mails_the_employee(cast) -> None:
    from notifications.models import OutboxMessage

    request = _in_state(cast, workflow.CANCEL_REQUESTED)
    services.request_decline_cancellation(request_id=request.pk, actor=cast.manager.user, comment="Сезон")
    request.refresh_from_db()
    assert (request.status, request.cancel_requested) == (Request.Status.APPROVED, False)
    assert request.events.last().action == "cancel_declined"
    mailed = OutboxMessage.objects.filter(event="request_cancel_declined")
    assert [m.recipient_id for m in mailed] == [cast.employee.pk]
