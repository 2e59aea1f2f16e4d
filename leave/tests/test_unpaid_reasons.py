"""Art. 128 / 263: the yearly limit of each statutory reason for unpaid leave, for the request workflow."""

from __future__ import annotations

import pytest

from conftest import Cast
from hrportal.errors import ValidationFailed
from leave import selectors, services
from leave.models import LeaveType
from leave.tests.conftest import D, d

pytestmark = pytest.mark.django_db


def test_old_age_pensioner_fourteen_days_a_year(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    """Art. 128 part 2: an old-age pensioner gets up to 14 calendar days a year on request. 9 days recorded in
    March 2025 (03–11.03) leave 5: a 5-day request passes (mandatory: the manager acknowledges), 6 days are a
    400 naming art. 128; another reason or another year has its own limit."""
    services.absence_record(
        employee=cast.employee,
        kind="unpaid",
        start_date=d("2025-03-03"),
        end_date=d("2025-03-11"),
        unpaid_reason="old_age_pensioner",
    )
    check = selectors.unpaid_leave_check(
        employee=cast.employee, reason="old_age_pensioner", start_date=d("2025-06-02"), end_date=d("2025-06-06")
    )
    assert (check.mandatory, check.limit, check.used_this_year, check.left) == (True, 14, D(9), D(5))
    with pytest.raises(ValidationFailed) as error:
        selectors.unpaid_leave_check(
            employee=cast.employee, reason="old_age_pensioner", start_date=d("2025-06-02"), end_date=d("2025-06-07")
        )
    assert "art. 128" in error.value.detail["end_date"][0]
    with pytest.raises(ValidationFailed, match=r"art\. 128"):
        selectors.unpaid_leave_check(
            employee=cast.employee,
            reason="old_age_pensioner",
            start_date=d("2025-06-02"),
            end_date=d("2025-06-03"),
            pending_days=D(4),
        )
    next_year = selectors.unpaid_leave_check(
        employee=cast.employee, reason="old_age_pensioner", start_date=d("2026-06-01"), end_date=d("2026-06-14")
    )
    assert next_year.left == D(14)


def test_per_event_and_agreement_and_unknown(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    """Marriage: up to 5 days (art. 128 part 2), per event; by agreement: no statutory limit, not mandatory."""
    assert selectors.unpaid_leave_check(
        employee=cast.employee, reason="marriage", start_date=d("2025-06-02"), end_date=d("2025-06-06")
    ).mandatory
    with pytest.raises(ValidationFailed, match=r"art\. 128"):
        selectors.unpaid_leave_check(
            employee=cast.employee, reason="marriage", start_date=d("2025-06-02"), end_date=d("2025-06-07")
        )
    agreed = selectors.unpaid_leave_check(
        employee=cast.employee, reason="agreement", start_date=d("2025-06-02"), end_date=d("2025-08-31")
    )
    assert (agreed.mandatory, agreed.left) == (False, None)
    with pytest.raises(ValidationFailed) as error:
        selectors.unpaid_leave_check(
            employee=cast.employee, reason="holiday", start_date=d("2025-06-02"), end_date=d("2025-06-03")
        )
    assert list(error.value.detail) == ["unpaid_reason"]
    with pytest.raises(ValidationFailed):
        services.absence_record(
            employee=cast.employee,
            kind="sick",
            start_date=d("2025-03-03"),
            end_date=d("2025-03-04"),
            unpaid_reason="marriage",
        )
