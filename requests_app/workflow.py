"""The request state machine as an explicit transition table.

    pending ──approve (last step)──▶ approved ──cancel (before start)──▶ cancelled
       │  ╰─approve (earlier step)─▶ pending (next step)
       ├──reject──▶ rejected
       ╰──cancel──▶ cancelled

Services consult `target_status`; anything not in the table is a 409 Conflict.
"""

from __future__ import annotations

from requests_app.models import Request

S = Request.Status

TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {S.PENDING: S.APPROVED},
    "reject": {S.PENDING: S.REJECTED},
    "cancel": {S.PENDING: S.CANCELLED, S.APPROVED: S.CANCELLED},
}


def target_status(action: str, current: str) -> str | None:
    return TRANSITIONS[action].get(current)


def approval_chain(*, kind: str, has_manager: bool, filed_by_manager: bool, needs_hr: bool) -> list[str]:
    """The steps a new request goes through.

    Leave, trips and certificates go to the employee's manager (for a manager, the next one up;
    for the top head, to HR). A pay-rate change goes to the manager, then HR — the manager step is
    already satisfied when the manager filed it. Leave within the first six months of service
    (art. 122) also needs HR after the manager.
    """
    steps: list[str] = []
    if has_manager and not (kind == Request.Kind.RATE_CHANGE and filed_by_manager):
        steps.append(Request.Stage.MANAGER)
    if kind == Request.Kind.RATE_CHANGE or needs_hr or not steps:
        steps.append(Request.Stage.HR)
    return steps
