"""Who hears of a decision besides the employee (issue 22): the manager who proposed a pay-rate change, and HR
for a certificate (which it issues)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from notifications.models import OutboxMessage
from requests_app import services
from requests_app.models import Request

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _recipients(event: str) -> set:
    return {m.recipient for m in OutboxMessage.objects.filter(event=event)}


def _rate_change(cast) -> Request:  # type: ignore[no-untyped-def]
    return services.request_create(
        actor=cast.manager.user,
        kind=Request.Kind.RATE_CHANGE,
        employee=cast.employee,
        effective_date=dt.date(2026, 4, 1),
        fte=Decimal("1.00"),
        salary=Decimal("130000.00"),
    )


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_manager_who_proposed_a_rate_change_hears_hrs_decision(cast, decision: str) -> None:
    change = _rate_change(cast)
    assert change.stage == Request.Stage.HR
    service = services.request_approve if decision == "approve" else services.request_reject
    service(request_id=change.pk, actor=cast.hr.user, comment="Решение HR")
    event = "request_approved" if decision == "approve" else "request_rejected"
    assert _recipients(event) == {cast.employee, cast.manager}
    mail = OutboxMessage.objects.select_related("content").get(event=event, recipient=cast.manager)
    assert "которую вы подали" in mail.content.body_text and "Решение HR" in mail.content.body_text
    own = OutboxMessage.objects.select_related("content").get(event=event, recipient=cast.employee)
    assert "Ваша заявка" in own.content.body_text


@time_machine.travel(TODAY, tick=False)
def test_a_request_filed_for_oneself_mails_only_the_employee(cast) -> None:
    certificate = services.request_create(
        actor=cast.employee.user, kind=Request.Kind.CERTIFICATE, certificate_type="employment", copies=2
    )
    services.request_approve(request_id=certificate.pk, actor=cast.hr.user)  # HR issues certificates
    assert _recipients("request_approved") == {cast.employee}


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_hr_hears_of_a_decided_certificate(cast, decision: str) -> None:
    """Certificates are HR's step; the other HR members hear what a colleague decided."""
    from django.contrib.auth.models import Group

    from conftest import make_employee
    from staff.models import HR_GROUP

    colleague = make_employee(username="hr2", department=cast.hr_department, last_name="Зайцева")
    colleague.user.groups.add(Group.objects.get(name=HR_GROUP))
    certificate = services.request_create(
        actor=cast.employee.user, kind=Request.Kind.CERTIFICATE, certificate_type="employment", copies=2
    )
    service = services.request_approve if decision == "approve" else services.request_reject
    service(request_id=certificate.pk, actor=cast.hr.user, comment="ok")
    (mail,) = OutboxMessage.objects.select_related("content").filter(event="certificate_decided")
    assert mail.recipient == colleague
    if decision == "approve":
        assert "согласована" in mail.content.subject and "2 экз." in mail.content.body_text
    else:
        assert "отклонена" in mail.content.subject
    # Other kinds do not bother HR.
    trip = services.request_create(
        actor=cast.employee.user,
        kind=Request.Kind.BUSINESS_TRIP,
        start_date=dt.date(2026, 4, 6),
        end_date=dt.date(2026, 4, 7),
        destination="Казань",
        purpose="Выставка",
    )
    services.request_approve(request_id=trip.pk, actor=cast.manager.user)
    assert OutboxMessage.objects.filter(event="certificate_decided").count() == 1
