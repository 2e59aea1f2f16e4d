"""Acceptance 5: create / approve / reject / cancel / accrue / grant in any order, driven by Hypothesis.

The machine keeps its own model of the requests and checks after every step that the selector's balance
agrees with (a) a from-scratch recomputation over the raw ledger rows and (b) the model; that no balance
is ever negative from the last leave's start on; and that no ledger row ever changes or disappears.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule, run_state_machine_as_test

from conftest import Cast, make_employee
from hrportal.errors import ValidationFailed
from leave import calc, selectors, services
from leave.models import LeaveEntry, LeaveType
from staff.models import Department

HIRE = dt.date(2024, 2, 12)
YEARLY = Decimal(28)
_ids = itertools.count(1_000_000)
_people = itertools.count(1)


@dataclass
class ModelRequest:
    request_id: int
    start: dt.date
    days: Decimal
    status: str = "pending"


class LedgerMachine(RuleBasedStateMachine):
    department: Department | None = None
    pending = Bundle("pending")
    approved = Bundle("approved")

    def __init__(self) -> None:
        super().__init__()
        assert self.department is not None
        self.employee = make_employee(username=f"machine{next(_people)}", department=self.department, hire_date=HIRE)
        self.today = HIRE
        self.requests: dict[int, ModelRequest] = {}
        self.grants: list[tuple[dt.date, Decimal]] = []
        self.seen_rows: list[tuple[int, str, Decimal]] = []

    # --- the model ---------------------------------------------------------------------------

    def model_accrued(self, on: dt.date) -> Decimal:
        months = calc.ServiceTimeline(hire_date=HIRE).months_counted(on)
        granted = sum((days for day, days in self.grants if day <= on), Decimal(0))
        return calc.cumulative_entitlement(months, YEARLY) + granted

    def model_sum(self, status: str) -> Decimal:
        return sum((r.days for r in self.requests.values() if r.status == status), Decimal(0))

    def model_entitled(self, on: dt.date) -> Decimal:
        """Art. 122: 28 days for every working year opened by `on` (12 Feb each year from the hire)."""
        opened = sum(1 for years in range(40) if calc.dates.add_months(HIRE, 12 * years) <= on)
        return YEARLY * opened

    def model_available(self, on: dt.date) -> Decimal:
        granted = sum((days for day, days in self.grants if day <= on), Decimal(0))
        return self.model_entitled(on) + granted - self.model_sum("approved") - self.model_sum("pending")

    def horizon(self) -> dt.date:
        starts = [r.start for r in self.requests.values() if r.status in ("pending", "approved")]
        return max([self.today, *starts])

    # --- rules -------------------------------------------------------------------------------

    @rule(target=pending, offset=st.integers(min_value=0, max_value=700), length=st.integers(min_value=1, max_value=30))
    def create(self, offset: int, length: int) -> object:
        start = HIRE + dt.timedelta(days=offset)
        days = Decimal(length)
        request_id = next(_ids)
        expected_ok = self.model_available(start) >= days
        try:
            services.leave_reserve(
                request_id=request_id,
                employee=self.employee,
                leave_type="annual",
                start_date=start,
                end_date=start + dt.timedelta(days=length - 1),
                days=days,
            )
        except ValidationFailed:
            assert not expected_ok, "refused although the model has the days"
            return None
        assert expected_ok, "accepted although the model lacks the days"
        self.requests[request_id] = ModelRequest(request_id, start, days)
        return request_id

    @rule(target=approved, request_id=consumes(pending))
    def approve(self, request_id: int | None) -> object:
        if request_id is None:
            return None
        services.leave_use(request_id=request_id)
        services.leave_use(request_id=request_id)  # a retried approval changes nothing
        self.requests[request_id].status = "approved"
        return request_id

    @rule(request_id=consumes(pending))
    def reject(self, request_id: int | None) -> None:
        if request_id is None:
            return
        services.leave_release(request_id=request_id)
        self.requests[request_id].status = "rejected"

    @rule(request_id=consumes(approved))
    def cancel_approved(self, request_id: int | None) -> None:
        if request_id is None:
            return
        services.leave_release(request_id=request_id)
        services.leave_release(request_id=request_id)
        self.requests[request_id].status = "cancelled"

    @rule(step=st.integers(min_value=1, max_value=120))
    def accrue(self, step: int) -> None:
        self.today += dt.timedelta(days=step)
        services.accrue(up_to=self.today, employees=[self.employee])

    @rule(days=st.integers(min_value=1, max_value=5))
    def grant(self, days: int) -> None:
        services.leave_adjust(
            employee=self.employee,
            leave_type="annual",
            days=Decimal(days),
            actor=None,
            comment="machine grant",
            effective_date=self.today,
        )
        self.grants.append((self.today, Decimal(days)))

    # --- invariants --------------------------------------------------------------------------

    def from_scratch(self, on: dt.date) -> selectors.Balance:
        rows = list(
            LeaveEntry.objects.filter(account__employee=self.employee, account__leave_type__code="annual").values(
                "kind", "days", "effective_date"
            )
        )

        def total(kind: str, by: dt.date | None = None) -> Decimal:
            return sum(
                (r["days"] for r in rows if r["kind"] == kind and (by is None or r["effective_date"] <= by)),
                Decimal(0),
            )

        counted = calc.ServiceTimeline(hire_date=HIRE).months_counted(on)
        accrued = (
            total("accrual", on)
            + max(Decimal(0), calc.cumulative_entitlement(counted, YEARLY) - total("accrual"))
            + total("adjustment", on)
        )
        used = -total("use")
        pending = -(total("reserve") + total("release"))
        return selectors.Balance(
            leave_type="annual",
            on=on,
            accrued=accrued,
            used=used,
            pending=pending,
            available=self.model_entitled(on) + total("adjustment", on) - used - pending,
        )

    @invariant()
    def balances_agree_and_never_go_negative(self) -> None:
        days = {self.today, self.horizon(), *(r.start for r in self.requests.values())}
        for on in sorted(days):
            selected = selectors.balance(employee=self.employee, leave_type="annual", on=on)
            expected = self.from_scratch(on)
            assert (selected.accrued, selected.used, selected.pending, selected.available) == (
                expected.accrued,
                expected.used,
                expected.pending,
                expected.available,
            )
            assert selected.available == self.model_available(on)
            assert selected.accrued == self.model_accrued(on)
            assert selected.used == self.model_sum("approved")
            assert selected.pending == self.model_sum("pending")
        assert selectors.balance(employee=self.employee, leave_type="annual", on=self.horizon()).available >= 0

    @invariant()
    def ledger_is_append_only(self) -> None:
        rows = list(
            LeaveEntry.objects.filter(account__employee=self.employee).order_by("id").values_list("id", "kind", "days")
        )
        assert rows[: len(self.seen_rows)] == self.seen_rows
        self.seen_rows = rows


@pytest.mark.django_db
def test_ledger_state_machine(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    LedgerMachine.department = cast.sales
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
