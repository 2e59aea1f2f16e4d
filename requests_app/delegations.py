"""Writes to delegations: a manager names a deputy for a period, or withdraws them; HR edits them in the admin.

A delegation is the authority to decide requests on a manager's behalf (requests_app.policy asks
staff.access.deputy_for), so its services live here, beside the workflow it opens, while the model stays in
staff with the other org facts. Here they can also tell the deputy through notifications, which staff may not
import (tests/test_layers.py): named (the mail gives the end date, so the end by date needs no mail of its own)
and withdrawn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hrportal.errors import NotFound, ValidationFailed
from notifications.services import notify
from staff.models import Delegation, Employee
from staff.services import set_history_actor


def _tell_deputy(event: str, delegation: Delegation, actor: Any, deputy: Employee | None = None) -> None:
    notify(
        event=event,
        obj=delegation,
        recipients=[deputy or delegation.deputy],
        context={
            "delegation": delegation,
            "manager_name": delegation.manager.full_name,
            "actor": actor,
            "url": reverse("approvals"),
        },
    )


@transaction.atomic
def delegation_create(
    *, manager: Employee, deputy: Employee, start_date: dt.date, end_date: dt.date, actor: Any = None
) -> Delegation:
    """A manager names a deputy for a period: from today on, not themself, not overlapping their other ones.
    The deputy is mailed."""
    if deputy.pk == manager.pk:
        raise ValidationFailed(_("You cannot be your own deputy."), field="deputy")
    if end_date < start_date:
        raise ValidationFailed(_("The period cannot end before it starts."), field="end_date")
    if start_date < timezone.localdate():
        raise ValidationFailed(_("A delegation starts today or later."), field="start_date")
    if (end_date - start_date).days > 366:
        raise ValidationFailed(_("A delegation lasts at most a year."), field="end_date")
    # One lock per manager serialises their concurrent edits, so the overlap check below holds.
    Employee.objects.select_for_update().filter(pk=manager.pk).first()
    clash = Delegation.objects.filter(manager=manager, start_date__lte=end_date, end_date__gte=start_date).first()
    if clash is not None:
        raise ValidationFailed(
            _("This period overlaps your delegation to %(deputy)s (%(start)s – %(end)s).")
            % {
                "deputy": clash.deputy.full_name,
                "start": clash.start_date.strftime("%d.%m.%Y"),
                "end": clash.end_date.strftime("%d.%m.%Y"),
            },
            field="start_date",
        )
    delegation = Delegation(manager=manager, deputy=deputy, start_date=start_date, end_date=end_date)
    set_history_actor(delegation, actor)
    delegation.save()
    _tell_deputy("delegation_named", delegation, actor)
    return delegation


@transaction.atomic
def delegation_delete(*, manager: Employee, delegation_id: int, actor: Any = None) -> None:
    """A manager withdraws one of their delegations (before or during it: an early end); anyone else's is
    NotFound. The deputy is mailed."""
    delegation = (
        Delegation.objects.select_for_update()
        .select_related("manager", "deputy")
        .filter(pk=delegation_id, manager=manager)
        .first()
    )
    if delegation is None:
        raise NotFound(_("Delegation not found."))
    _end(delegation, actor)


def _end(delegation: Delegation, actor: Any) -> None:
    # The mail is queued while the row still exists (the outbox keys it by the delegation's id).
    if delegation.end_date >= timezone.localdate():  # one already over ended by its date: nothing to say
        _tell_deputy("delegation_ended", delegation, actor)
    set_history_actor(delegation, actor)
    delegation.delete()


@transaction.atomic
def delegation_save(*, delegation: Delegation, actor: Any) -> Delegation:
    """HR's edit in the admin, saved as entered (the admin's form and the model's constraints checked it). A
    new deputy is mailed that they are named; one replaced on the row, that they are not any more."""
    previous = None
    if delegation.pk is not None:
        previous = Delegation.objects.select_for_update().select_related("deputy").filter(pk=delegation.pk).first()
    set_history_actor(delegation, actor)
    delegation.save()
    if previous is None or previous.deputy_id != delegation.deputy_id:
        if previous is not None and previous.end_date >= timezone.localdate():
            _tell_deputy("delegation_ended", previous, actor, deputy=previous.deputy)
        _tell_deputy("delegation_named", delegation, actor)
    return delegation


@transaction.atomic
def delegation_remove(*, delegation: Delegation, actor: Any) -> None:
    """HR deletes a delegation in the admin; the deputy is mailed as when its manager withdraws it."""
    locked = Delegation.objects.select_for_update().select_related("manager", "deputy").filter(pk=delegation.pk)
    row = locked.first()
    if row is not None:
        _end(row, actor)
