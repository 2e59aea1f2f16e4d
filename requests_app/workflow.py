"""The request state machine: one table of (state, action) → next state that every service consults.

    pending ──approve──▶ pending (next step of the chain) … ──approve (last step)──▶ approved
       ├──reject──▶ rejected
       ╰──cancel──▶ cancelled
    approved ──request_cancellation──▶ cancel_requested ──confirm_cancellation──▶ cancelled
       ╰──cancel (HR)──▶ cancelled          ├──decline_cancellation──▶ approved
                                            ╰──cancel (HR)──▶ cancelled

A request's state is its status, with an approved request whose employee asked to cancel it in a state of its
own. A pair not in the table is a 409 Conflict, whoever asks; who may take an allowed step is the approval
policy's question (requests_app.policy).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from hrportal.errors import Conflict
from requests_app.models import Request

S = Request.Status


class Action:
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    REQUEST_CANCELLATION = "request_cancellation"
    CONFIRM_CANCELLATION = "confirm_cancellation"
    DECLINE_CANCELLATION = "decline_cancellation"

    ALL = (APPROVE, REJECT, CANCEL, REQUEST_CANCELLATION, CONFIRM_CANCELLATION, DECLINE_CANCELLATION)


CANCEL_REQUESTED = "cancel_requested"
NEXT_STEP = "next_step"  # the chain's next step, or approved after the last one

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PENDING, Action.APPROVE): NEXT_STEP,
    (S.PENDING, Action.REJECT): S.REJECTED,
    (S.PENDING, Action.CANCEL): S.CANCELLED,
    (S.APPROVED, Action.REQUEST_CANCELLATION): CANCEL_REQUESTED,
    (S.APPROVED, Action.CANCEL): S.CANCELLED,
    (CANCEL_REQUESTED, Action.CONFIRM_CANCELLATION): S.CANCELLED,
    (CANCEL_REQUESTED, Action.DECLINE_CANCELLATION): S.APPROVED,
    (CANCEL_REQUESTED, Action.CANCEL): S.CANCELLED,
}

STATES = (S.PENDING, S.APPROVED, CANCEL_REQUESTED, S.REJECTED, S.CANCELLED)

# Whole sentences, translated whole for the pages (the API answers the English text): a status is never spliced
# into another language's sentence.
_REFUSALS = {
    Action.APPROVE: gettext_noop("The request is no longer pending: it cannot be approved."),
    Action.REJECT: gettext_noop("The request is no longer pending: it cannot be rejected."),
    Action.CANCEL: gettext_noop("The request can no longer be cancelled."),
    Action.REQUEST_CANCELLATION: gettext_noop("A cancellation of this request cannot be asked for now."),
    Action.CONFIRM_CANCELLATION: gettext_noop("No cancellation of this request awaits a decision."),
    Action.DECLINE_CANCELLATION: gettext_noop("No cancellation of this request awaits a decision."),
}


def state_of(request: Request) -> str:
    if request.status == S.APPROVED and request.cancel_requested:
        return CANCEL_REQUESTED
    return str(request.status)


def allows(request: Request, action: str) -> bool:
    """Whether the table has a step for `action` from the request's state (an applied pay-rate change is
    corrected by a new one, never cancelled)."""
    if (state_of(request), action) not in TRANSITIONS:
        return False
    return not (request.kind == Request.Kind.RATE_CHANGE and request.status == S.APPROVED)


def target(request: Request, action: str) -> str:
    """The state `action` leads to from the request's state, else Conflict (409). An approval leads to the
    chain's next step while one remains (the request stays pending), else to approved."""
    if not allows(request, action):
        raise Conflict(_REFUSALS[action], ui=(_REFUSALS[action], {}))
    to = TRANSITIONS[(state_of(request), action)]
    if to == NEXT_STEP:
        return S.PENDING if next_stage(request) is not None else S.APPROVED
    return to


def next_stage(request: Request) -> str | None:
    """The step after the current one in the request's chain, or None after the last."""
    stages = list(request.stages)
    position = stages.index(request.stage) if request.stage in stages else len(stages) - 1
    return stages[position + 1] if position + 1 < len(stages) else None
