"""Migration 0007 links the approved changes of one employee and date that coexisted before it (issue 17's probe)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.harness.migrations import latest_schema_after, migrate  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("latest_schema_after")]

BEFORE = [("requests_app", "0006_admin_labels")]
AFTER = [("requests_app", "0007_rate_change_guards")]


def test_coexisting_approvals_are_linked_and_the_reverse_unlinks(cast) -> None:
    apps = migrate(BEFORE)
    request = apps.get_model("requests_app", "Request")
    details = apps.get_model("requests_app", "RateChangeDetails")
    event = apps.get_model("requests_app", "RequestEvent")
    pay_rate = apps.get_model("staff", "PayRate")
    day = dt.date(2026, 4, 1)
    ids = []
    for n, salary in enumerate(("1000.00", "110000.00", "120000.00")):
        now = timezone.now() + dt.timedelta(minutes=n)
        superseded = None if n == 2 else now + dt.timedelta(seconds=30)
        rate = pay_rate.objects.create(
            employee_id=cast.employee.pk, effective_date=day, fte=Decimal("1"), salary=salary, superseded_at=superseded
        )
        r = request.objects.create(
            kind="rate_change",
            employee_id=cast.employee.pk,
            status="approved",
            stage="",
            stages=["hr"],
            created_by_id=cast.manager.user_id,
            decided_at=now,
        )
        details.objects.create(request=r, effective_date=day, fte=Decimal("1"), salary=salary, pay_rate=rate)
        event.objects.create(request=r, action="approved", actor_id=cast.hr.user_id, to_status="approved")
        ids.append(r.pk)
    apps = migrate(AFTER)
    details = apps.get_model("requests_app", "RateChangeDetails")
    assert dict(details.objects.values_list("request_id", "superseded_by")) == {
        ids[0]: ids[2],
        ids[1]: ids[2],
        ids[2]: None,
    }
    events = apps.get_model("requests_app", "RequestEvent").objects
    assert events.filter(request_id=ids[2], action="supersedes").count() == 2
    assert events.filter(
        request_id=ids[0], action="superseded", comment=f"#{ids[2]}", actor_id=cast.hr.user_id
    ).exists()
    apps = migrate(BEFORE)
    assert not apps.get_model("requests_app", "RequestEvent").objects.filter(action__in=["superseded", "supersedes"])
    migrate(AFTER)
