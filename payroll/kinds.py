"""The kinds of payroll accrual and whether each counts for average earnings by default (Regulation 922
items 2–3). Pure data: `leave.calc.earnings` keeps the same codes (a test holds them equal), so the pure
calculation needs nothing from Django.

- Counted: the salary, monthly / quarterly / annual bonuses, allowances, holiday-work premiums — pay of the
  employer's pay system (item 2).
- Not counted: sick pay and vacation pay (the pay of item-5 time), and "other": in a 1С:ЗУП export that line is
  material aid, trip pay (average earnings kept) and the like (item 3). HR ticks "counts" on an "other" row that
  is pay of the pay system.
"""

SALARY = "salary"
BONUS_MONTH = "bonus_month"
BONUS_QUARTER = "bonus_quarter"
BONUS_YEAR = "bonus_year"
ALLOWANCE = "allowance"
HOLIDAY_WORK = "holiday_work"
SICK_PAY = "sick_pay"
VACATION_PAY = "vacation_pay"
OTHER = "other"

KINDS = (SALARY, BONUS_MONTH, BONUS_QUARTER, BONUS_YEAR, ALLOWANCE, HOLIDAY_WORK, SICK_PAY, VACATION_PAY, OTHER)
BONUSES_WITH_PERIOD = frozenset({BONUS_QUARTER, BONUS_YEAR})
COUNTS_BY_DEFAULT = {
    SALARY: True,
    BONUS_MONTH: True,
    BONUS_QUARTER: True,
    BONUS_YEAR: True,
    ALLOWANCE: True,
    HOLIDAY_WORK: True,
    SICK_PAY: False,
    VACATION_PAY: False,
    OTHER: False,
}
