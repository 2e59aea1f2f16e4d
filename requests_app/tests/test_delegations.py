"""The delegation services (requests_app.delegations.delegation_create / delegation_delete), called directly.

The pages that call them are covered in tests/ui/test_staff_pages.py."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from hrportal.errors import NotFound, ValidationFailed
from requests_app.delegations import delegation_create, delegation_delete
from staff.models import Delegation

TODAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
MARCH_10, MARCH_20 = dt.date(2026, 3, 10), dt.date(2026, 3, 20)


@time_machine.travel(TODAY, tick=False)
def test_a_delegation_is_created_and_its_history_names_the_actor(cast) -> None:
    delegation = delegation_create(
        manager=cast.manager,
        deputy=cast.sub_manager,
        start_date=MARCH_10,
        end_date=MARCH_20,
        actor=cast.manager.user,
    )
    assert Delegation.objects.get() == delegation
    created = delegation.history.get()
    assert (created.history_type, created.history_user) == ("+", cast.manager.user)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("deputy", "start", "end", "field"),
    [
        ("manager", MARCH_10, MARCH_20, "deputy"),  # themself
        ("sub_manager", MARCH_20, MARCH_10, "end_date"),  # ends before it starts
        ("sub_manager", dt.date(2026, 3, 1), MARCH_20, "start_date"),  # starts in the past
        ("sub_manager", MARCH_10, dt.date(2027, 3, 12), "end_date"),  # longer than a year
    ],
)
def test_a_delegation_is_validated_and_nothing_is_saved(cast, deputy, start, end, field) -> None:
    with pytest.raises(ValidationFailed) as refused:
        delegation_create(manager=cast.manager, deputy=cast.by_role(deputy), start_date=start, end_date=end)
    assert list(refused.value.detail) == [field]
    assert not Delegation.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_an_overlapping_delegation_is_refused_naming_the_one_it_overlaps(cast) -> None:
    delegation_create(manager=cast.manager, deputy=cast.sub_manager, start_date=MARCH_10, end_date=MARCH_20)
    with pytest.raises(ValidationFailed) as refused:
        delegation_create(
            manager=cast.manager, deputy=cast.employee, start_date=MARCH_20, end_date=dt.date(2026, 3, 25)
        )
    [message] = refused.value.detail["start_date"]
    assert cast.sub_manager.full_name in message and "10.03.2026" in message
    # Another manager's delegations do not clash with this one's.
    delegation_create(manager=cast.other_manager, deputy=cast.outsider, start_date=MARCH_10, end_date=MARCH_20)
    assert Delegation.objects.count() == 2


@time_machine.travel(TODAY, tick=False)
def test_a_manager_withdraws_their_delegation_and_its_history_names_the_actor(cast) -> None:
    delegation = delegation_create(
        manager=cast.manager, deputy=cast.sub_manager, start_date=MARCH_10, end_date=MARCH_20
    )
    delegation_delete(manager=cast.manager, delegation_id=delegation.pk, actor=cast.manager.user)
    assert not Delegation.objects.exists()
    deleted = Delegation.history.filter(id=delegation.pk).latest()
    assert (deleted.history_type, deleted.history_user) == ("-", cast.manager.user)


@time_machine.travel(TODAY, tick=False)
def test_it_validates_ownership(cast) -> None:
    delegation = delegation_create(
        manager=cast.other_manager, deputy=cast.outsider, start_date=MARCH_10, end_date=MARCH_20
    )
    with pytest.raises(NotFound):
        delegation_delete(manager=cast.manager, delegation_id=delegation.pk, actor=cast.manager.user)
    with pytest.raises(NotFound):
        delegation_delete(manager=cast.manager, delegation_id=delegation.pk + 1000)
    assert Delegation.objects.filter(pk=delegation.pk).exists()


# --- the deputy is told (issue 22) -------------------------------------------------------------------------


def _mails(event: str):  # type: ignore[no-untyped-def]
    from notifications.models import OutboxMessage

    return list(OutboxMessage.objects.select_related("content", "recipient").filter(event=event))


@time_machine.travel(TODAY, tick=False)
def test_the_deputy_is_mailed_when_named_with_the_end_date(cast) -> None:
    delegation_create(
        manager=cast.manager, deputy=cast.sub_manager, start_date=MARCH_10, end_date=MARCH_20, actor=cast.manager.user
    )
    (mail,) = _mails("delegation_named")
    assert mail.recipient == cast.sub_manager
    assert "20.03.2026" in mail.content.subject and "20.03.2026" in mail.content.body_text
    assert cast.manager.full_name in mail.content.body_text
    assert not _mails("delegation_ended")


@time_machine.travel(TODAY, tick=False)
def test_the_deputy_is_mailed_when_the_delegation_is_withdrawn(cast) -> None:
    delegation = delegation_create(
        manager=cast.manager, deputy=cast.sub_manager, start_date=MARCH_10, end_date=MARCH_20
    )
    delegation_delete(manager=cast.manager, delegation_id=delegation.pk, actor=cast.manager.user)
    (mail,) = _mails("delegation_ended")
    assert mail.recipient == cast.sub_manager and "10.03.2026" in mail.content.body_text


@time_machine.travel(TODAY, tick=False)
def test_hr_editing_in_the_admin_tells_the_deputies(cast) -> None:
    from requests_app.delegations import delegation_remove, delegation_save

    delegation = delegation_save(
        delegation=Delegation(manager=cast.manager, deputy=cast.sub_manager, start_date=MARCH_10, end_date=MARCH_20),
        actor=cast.hr.user,
    )
    delegation.deputy = cast.employee
    delegation_save(delegation=delegation, actor=cast.hr.user)
    assert {m.recipient for m in _mails("delegation_named")} == {cast.sub_manager, cast.employee}
    assert [m.recipient for m in _mails("delegation_ended")] == [cast.sub_manager]
    delegation_remove(delegation=delegation, actor=cast.hr.user)
    assert {m.recipient for m in _mails("delegation_ended")} == {cast.sub_manager, cast.employee}
    assert not Delegation.objects.exists()
