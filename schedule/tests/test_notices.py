"""The daily job (`send_due_notices`): the art. 123 notice 14 days before, the art. 136 payroll list 3 days
before, the reminders after the proposal deadline — each once, however often the job runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from notifications.models import OutboxMessage
from schedule import notices, services
from schedule.models import Campaign, Notice, PayrollLine, PayrollList
from schedule.tests.conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(cast: Any, campaign: Campaign) -> Any:
    """The employee's part 1–14 June 2027 in the approved schedule."""
    part = services.part_add(
        actor=cast.employee.user, year=YEAR, start_date=dt.date(2027, 6, 1), end_date=dt.date(2027, 6, 14)
    )
    services.campaign_approve(actor=cast.hr.user, year=YEAR)
    return part


def mails(event: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(event=event))


def test_the_notice_goes_14_days_before_once(approved: Any, cast: Any) -> None:
    """1 June 2027 − 14 calendar days = 18 May: nothing on 17 May, the notice on 18 May, nothing more after."""
    assert notices.send_due_notices(on=dt.date(2027, 5, 17)).notices == 0
    assert notices.send_due_notices(on=dt.date(2027, 5, 18)).notices == 1
    assert notices.send_due_notices(on=dt.date(2027, 5, 18)).notices == 0
    assert notices.send_due_notices(on=dt.date(2027, 5, 19)).notices == 0
    notice = Notice.objects.get()
    assert (notice.employee, notice.start_date, notice.days, notice.late) == (
        cast.employee,
        dt.date(2027, 6, 1),
        Decimal("13.00"),
        False,
    )
    [mail] = mails("leave_notice")
    assert mail.recipient_email == cast.employee.email
    assert "01.06.2027" in mail.content.subject


def test_a_missed_day_is_caught_up_and_marked_late(approved: Any) -> None:
    """The job did not run from 18 to 21 May: on 22 May (10 days before) the notice still goes, marked late."""
    assert notices.send_due_notices(on=dt.date(2027, 5, 22)).notices == 1
    assert Notice.objects.get().late
    assert [n.pk for n in notices.unacknowledged(on=dt.date(2027, 5, 22))] == [Notice.objects.get().pk]
    # Ten days before the start HR sees it among the unsigned; at 11 days it is not yet listed.
    assert not notices.unacknowledged(on=dt.date(2027, 5, 21)).exists()


def test_a_moved_part_gets_a_new_notice(approved: Any, cast: Any) -> None:
    notices.send_due_notices(on=dt.date(2027, 5, 18))
    with time_machine.travel(dt.datetime(2027, 5, 19, 9, tzinfo=dt.UTC), tick=False):
        change = services.part_move(
            actor=cast.employee.user,
            part_id=approved.pk,
            start_date=dt.date(2027, 6, 7),
            end_date=dt.date(2027, 6, 20),
            reason="the notice came late",
        )
        services.change_decide(actor=cast.manager.user, change_id=change.pk, consent=True)
    assert notices.send_due_notices(on=dt.date(2027, 5, 24)).notices == 1
    assert sorted(Notice.objects.values_list("start_date", flat=True)) == [dt.date(2027, 6, 1), dt.date(2027, 6, 7)]
    assert len(mails("leave_notice")) == 2


def test_the_payroll_list_goes_3_days_before_with_the_vacation_pay(approved: Any, cast: Any, settings: Any) -> None:
    """Salary 100 000 ₽ every month: the 12 months before June 2027 earn 1 200 000 ₽ over 12 × 29.3 = 351.6 days,
    so the average daily earnings are 3 412.969… → 3 412.97 ₽ (art. 139, Regulation 922 п. 10, half-up), and 13 days
    charged (1–14 June less 12 June) pay 3 412.97 × 13 = 44 368.61 ₽. 1 June − 3 days = 29 May."""
    settings.HRPORTAL = {**settings.HRPORTAL, "SCHEDULE_PAYROLL_EMAIL": "payroll@example.test, cfo@example.test"}
    assert notices.send_due_notices(on=dt.date(2027, 5, 28)).payroll_lines == 0
    assert notices.send_due_notices(on=dt.date(2027, 5, 29)).payroll_lines == 1
    assert notices.send_due_notices(on=dt.date(2027, 5, 29)).payroll_lines == 0
    assert notices.send_due_notices(on=dt.date(2027, 5, 30)).payroll_lines == 0
    line = PayrollLine.objects.get()
    assert (line.employee, line.days, line.vacation_pay, line.late) == (
        cast.employee,
        Decimal("13.00"),
        Decimal("44368.61"),
        False,
    )
    assert PayrollList.objects.count() == 1
    sent = mails("payroll_list")
    assert sorted(m.recipient_email for m in sent) == ["cfo@example.test", "payroll@example.test"]
    assert all(m.recipient_id is None for m in sent)
    assert "44368,61" in sent[0].content.body_text  # the Russian mail writes a decimal comma


def test_a_leave_approved_less_than_3_days_before_is_flagged_late(cast: Any, autumn: Any) -> None:
    from leave import services as leave_services
    from requests_app import services as request_services

    leave_services.load_calendar(year=2026)
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC), tick=False):
        request = request_services.request_create(
            actor=cast.outsider.user,
            kind="leave",
            leave_type=__import__("leave.models").models.LeaveType.objects.get(code="annual"),
            start_date=dt.date(2026, 12, 1),
            end_date=dt.date(2026, 12, 7),
        )
        request_services.request_approve(request_id=request.pk, actor=cast.other_manager.user)
        notices.send_due_notices(on=dt.date(2026, 11, 30))
    line = PayrollLine.objects.get()
    assert (line.key, line.late) == (f"request:{request.pk}", True)


def test_reminders_after_the_deadline_go_once(cast: Any, campaign: Campaign) -> None:
    services.part_add(
        actor=cast.employee.user, year=YEAR, start_date=dt.date(2027, 6, 1), end_date=dt.date(2027, 6, 14)
    )
    assert notices.send_due_notices(on=dt.date(2026, 12, 1)).reminders == 0  # the deadline day itself
    first = notices.send_due_notices(on=dt.date(2026, 12, 2)).reminders
    assert notices.send_due_notices(on=dt.date(2026, 12, 3)).reminders == 0
    silent = {m.recipient_id for m in mails("schedule_not_proposed")}
    # Everyone active but the employee who proposed (the deactivated account is not in the schedule).
    assert cast.employee.pk not in silent and cast.deactivated.pk not in silent
    assert cast.outsider.pk in silent and cast.manager.pk in silent
    heads = {m.recipient_id for m in mails("schedule_department_late")}
    assert heads == {cast.ceo.pk, cast.manager.pk, cast.sub_manager.pk, cast.other_manager.pk, cast.hr.pk}
    assert first == len(silent) + len(heads)


def test_the_command_runs_the_job_for_a_date(approved: Any) -> None:
    out = StringIO()
    call_command("send_due_notices", "--date", "2027-05-18", stdout=out)
    assert "1 notices" in out.getvalue()
    call_command("send_due_notices", "--date", "2027-05-18", stdout=out)
    assert Notice.objects.count() == 1 and len(mails("leave_notice")) == 1
