"""Art. 124 part 4: HR's list and the monthly reminder through the outbox."""

from __future__ import annotations

import pytest

from conftest import Cast
from leave import selectors, services, tasks
from leave.models import LeaveReminder, LeaveType
from leave.tests.conftest import D, d
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_overdue_once_the_year_after_next_opens(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    """The cast is hired 09.01.2023 and has used no leave. Year 1 (09.01.2023–08.01.2024) may move into year 2
    (art. 124 part 3); on 09.01.2025 year 3 opens and year 1's 28 days are overdue (part 4). 20 days booked by
    the employee leave 8 of them."""
    assert [i for i in selectors.overdue_leave(on=d("2025-01-08")) if i.employee == cast.employee] == []
    services.leave_reserve(
        request_id=5,
        employee=cast.employee,
        leave_type="annual",
        start_date=d("2024-06-03"),
        end_date=d("2024-06-22"),
        days=D(20),
    )
    items = {i.employee.pk: i for i in selectors.overdue_leave(on=d("2025-01-09"))}
    assert (items[cast.employee.pk].days, items[cast.employee.pk].year_start) == (D("8.00"), d("2023-01-09"))
    assert items[cast.manager.pk].days == D("28.00")


def test_monthly_reminder_once_per_month(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    overdue = selectors.overdue_leave(on=d("2025-02-03"))
    people = {i.employee.pk for i in overdue}
    queued = tasks.art124_reminders.run(on="2025-02-03")
    assert queued == len(people) + 1  # each employee, and HR's digest
    assert LeaveReminder.objects.filter(kind="art124").count() == len(people)
    assert OutboxMessage.objects.filter(event="leave_overdue").count() == len(people)
    assert OutboxMessage.objects.filter(event="leave_overdue_hr").exists()
    # Again in February: nothing new; in March: the next month's reminders.
    assert services.art124_remind(on=d("2025-02-20")) == 0
    assert OutboxMessage.objects.filter(event="leave_overdue").count() == len(people)
    assert services.art124_remind(on=d("2025-03-03")) == len(people) + 1


def test_hr_list_page(cast: Cast, leave_types: dict[str, LeaveType], login) -> None:  # type: ignore[no-untyped-def]
    page = login(cast.hr).get("/leave/overdue/?on=2025-02-03")
    assert page.status_code == 200 and f'data-employee="{cast.employee.pk}"' in page.content.decode()
    assert login(cast.manager).get("/leave/overdue/").status_code == 403
    assert login(cast.outsider).get("/leave/overdue/").status_code == 403
