"""Reads of the leave engine: the production calendar, balances, quotes, leave a calendar edit affects.

Every function makes a bounded number of queries whatever the size of the ledger: sums are aggregated in
the database, and the pure core (leave.calc) gets plain data.
"""

from leave.selectors.balances import (
    ADDITIONAL,
    ANNUAL,
    AffectedLeave,
    Balance,
    BookedLeave,
    affected_leave,
    balance,
    balance_types,
    balances,
    balances_for_employees,
    booked_leave,
    leave_type_by_code,
    leave_types,
    ledger,
    projected_accrual,
    resolve_leave_type,
    service_absences,
    timeline_for,
    yearly_entitlement,
)
from leave.selectors.calendar import (
    CalendarYear,
    calendar_loaded,
    calendar_year,
    production_calendar,
    provisional_years,
)
from leave.selectors.earnings import average_for_page, months_for_page, pay_rates
from leave.selectors.overdue import OverdueLeave, overdue_leave
from leave.selectors.quotes import Quote, quote
from leave.selectors.settlement import SettlementResult, settlement
from leave.selectors.unpaid import UnpaidCheck, unpaid_leave_check

__all__ = [
    "ADDITIONAL",
    "ANNUAL",
    "AffectedLeave",
    "Balance",
    "BookedLeave",
    "CalendarYear",
    "OverdueLeave",
    "Quote",
    "SettlementResult",
    "UnpaidCheck",
    "affected_leave",
    "average_for_page",
    "balance",
    "balance_types",
    "balances",
    "balances_for_employees",
    "booked_leave",
    "calendar_loaded",
    "calendar_year",
    "leave_type_by_code",
    "leave_types",
    "ledger",
    "months_for_page",
    "overdue_leave",
    "pay_rates",
    "production_calendar",
    "projected_accrual",
    "provisional_years",
    "quote",
    "resolve_leave_type",
    "service_absences",
    "settlement",
    "timeline_for",
    "unpaid_leave_check",
    "yearly_entitlement",
]
