"""The pure core of the leave engine: no Django here, plain dates, Decimals and dicts in and out.

- calendar: the production calendar (working days, hour norms);
- length: how many days a leave is charged (art. 120);
- accrual: months and working years of service, the days they earn (art. 121, rule 35);
- pay: vacation pay by average earnings (art. 139, Regulation 922);
- earnings: payroll accruals, bonuses, indexation and the minimum wage in average earnings (Regulation 922);
- checks: art. 122 and art. 125;
- absences: what each absence counts toward (art. 121, Regulation 922 item 5);
- working_year: entitlement by working year, carry-over, art. 124, dismissal (art. 127, rules 28/35, art. 137);
- sources: the shipped official calendar and `holidays.RU`.
"""

from leave.calc.accrual import (
    HALF_MONTH_DAYS,
    ServiceMonth,
    ServiceTimeline,
    cumulative_entitlement,
    excluded_service_days,
    month_accrual,
)
from leave.calc.calendar import (
    DAY_OFF,
    KINDS,
    PUBLIC_HOLIDAY,
    WORKING_DAY,
    WORKING_WEEKEND,
    MonthNorm,
    ProductionCalendar,
    SpecialDay,
)
from leave.calc.checks import Finding, art122_finding, art125_finding, long_part_still_possible
from leave.calc.earnings import Accrual, BonusLine, Payment
from leave.calc.length import CALENDAR, CALENDAR_EXCLUDING_HOLIDAYS, WORKING_DAYS, LeaveLength, leave_length
from leave.calc.pay import (
    AVERAGE_MONTH_DAYS,
    LeavePart,
    MonthEarnings,
    Rate,
    VacationPay,
    round_money,
    vacation_pay,
)

__all__ = [
    "AVERAGE_MONTH_DAYS",
    "CALENDAR",
    "CALENDAR_EXCLUDING_HOLIDAYS",
    "DAY_OFF",
    "HALF_MONTH_DAYS",
    "KINDS",
    "PUBLIC_HOLIDAY",
    "WORKING_DAY",
    "WORKING_DAYS",
    "WORKING_WEEKEND",
    "Accrual",
    "BonusLine",
    "Finding",
    "LeaveLength",
    "LeavePart",
    "MonthEarnings",
    "MonthNorm",
    "Payment",
    "ProductionCalendar",
    "Rate",
    "ServiceMonth",
    "ServiceTimeline",
    "SpecialDay",
    "VacationPay",
    "art122_finding",
    "art125_finding",
    "cumulative_entitlement",
    "excluded_service_days",
    "leave_length",
    "long_part_still_possible",
    "month_accrual",
    "round_money",
    "vacation_pay",
]

from leave.calc import absences, earnings, working_year

__all__ += ["absences", "earnings", "working_year"]
