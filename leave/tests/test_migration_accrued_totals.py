"""Migration 0008 gives each leave account the totals of the accrual entries it already holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from leave import services
from leave.models import LeaveAccount
from tests.harness.migrations import latest_schema_after, migrate  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("latest_schema_after")]

BEFORE = [("leave", "0007_admin_labels")]
AFTER = [("leave", "0008_account_accrued_totals")]


def test_totals_are_filled_from_the_entries_and_accrual_goes_on_from_them(cast, leave_types) -> None:
    """Months 1, 2 and 10 posted before the migration (10 = 23.33 cumulative, 28 a year): the account keeps month
    10 and 2.33 + 2.34 + 18.66 = 23.33 days; the next run posts month 11, 28 × 11/12 = 25.67 − 23.33 = 2.34."""
    apps = migrate(BEFORE)
    account_model = apps.get_model("leave", "LeaveAccount")
    entry = apps.get_model("leave", "LeaveEntry")
    annual = apps.get_model("leave", "LeaveType").objects.get(code="annual")
    employee = cast.employee
    account = account_model.objects.create(employee_id=employee.pk, leave_type_id=annual.pk)
    empty = account_model.objects.create(
        employee_id=cast.manager.pk, leave_type_id=annual.pk
    )  # no accrual entries: stays at zero
    hire = employee.hire_date
    for month, days in ((1, "2.33"), (2, "2.34"), (10, "18.66")):
        entry.objects.create(
            account_id=account.pk,
            kind="accrual",
            days=Decimal(days),
            effective_date=hire,
            idempotency_key=f"accrual:{employee.pk}:annual:{month}",
            period_start=hire,
            period_end=hire,
        )
    entry.objects.create(
        account_id=account.pk, kind="adjustment", days=Decimal("5"), effective_date=hire, idempotency_key="adj"
    )
    migrate(AFTER)
    filled = LeaveAccount.objects.get(pk=account.pk)
    assert (filled.accrued_months, filled.accrued_days) == (10, Decimal("23.33"))
    assert (
        LeaveAccount.objects.get(pk=empty.pk).accrued_months,
        LeaveAccount.objects.get(pk=empty.pk).accrued_days,
    ) == (
        0,
        Decimal("0.00"),
    )
    # Month 11 counts once half of it is served: 10 months and 15 days after the hire.
    services.accrue(up_to=hire + dt.timedelta(days=335), employees=[employee])
    assert LeaveAccount.objects.get(pk=account.pk).accrued_days == Decimal("25.67")
    assert migrate(BEFORE)  # and back
