"""Demo leave history: balances by working year that make sense (some used, some carried over)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from conftest import Cast
from leave import selectors
from leave.models import LeaveEntry, LeaveType
from leave.tests.conftest import D, d

pytestmark = pytest.mark.django_db


def test_earlier_years_taken_with_a_carry_over(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    """The cast is hired 09.01.2023; on 14.07.2025 three working years have opened (84 days). The two earlier
    years' 56 days are recorded as taken, less a carry-over of 0, 3, 6 or 9 days by employee id; the current
    year's 28 stay whole. No art. 124 breach is left. A second run writes nothing."""
    call_command("seed_leave_history", "--date", "2025-07-14")
    carry = (D(0), D(3), D(6), D(9))[cast.employee.pk % 4]
    balance = selectors.balance(employee=cast.employee, leave_type="annual", on=d("2025-07-14"))
    assert (balance.entitled, balance.adjustments) == (D("84.00"), -(D(56) - carry))
    assert (balance.carried_over, balance.available) == (carry, D(28) + carry)
    assert selectors.overdue_leave(on=d("2025-07-14")) == []
    count = LeaveEntry.objects.count()
    call_command("seed_leave_history", "--date", "2025-07-14")
    assert LeaveEntry.objects.count() == count
