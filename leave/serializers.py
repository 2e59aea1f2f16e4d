"""Input and output shapes of the leave API (CONTRACT.md, "Leave" and "Production calendar").

Day counts and money leave as decimal strings with two places.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hrportal.dates import EARLIEST, LATEST
from leave import calc
from leave.models import LeaveType

MAX_QUOTE_DAYS = 366
# Dates the leave engine answers for: the portal's one window (hrportal.dates, the production calendar's years);
# beyond them working years and pay periods would run past what `datetime.date` can hold.
FIRST_DATE, LAST_DATE = EARLIEST, LATEST


def _date_field(**kwargs: Any) -> serializers.DateField:
    return serializers.DateField(validators=[MinValueValidator(FIRST_DATE), MaxValueValidator(LAST_DATE)], **kwargs)


def _days_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=9, decimal_places=2, **kwargs)


def _money_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class LeaveErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class BalanceQuerySerializer(serializers.Serializer):
    employee = serializers.IntegerField(required=False, min_value=1)
    on = _date_field(required=False)


class WorkingYearSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="The day before the next working year starts (shifted by art. 121).")


class BalanceLineSerializer(serializers.Serializer):
    leave_type = serializers.CharField()
    accrued = _days_field(help_text="Earned month by month (28/12 a counted month, rule 35) plus HR adjustments.")
    used = _days_field()
    pending = _days_field()
    available = _days_field(help_text="entitled + adjustments − used − pending: what booking checks.")
    entitled = _days_field(help_text="The whole days of every working year opened by `on` (art. 122).")
    carried_over = _days_field(help_text="Unused days of the working years before the current one.")
    working_year = WorkingYearSerializer(help_text="The working year `on` falls in.")


class BalanceOutputSerializer(serializers.Serializer):
    employee = serializers.IntegerField()
    on = serializers.DateField()
    balances = BalanceLineSerializer(many=True)


class LeaveTypeField(serializers.SlugRelatedField):
    """A leave type by code; a NUL character is refused before it reaches PostgreSQL (which cannot hold it)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class QuoteInputSerializer(serializers.Serializer):
    employee = serializers.IntegerField(required=False, min_value=1)
    leave_type = LeaveTypeField(slug_field="code", queryset=LeaveType.objects.filter(active=True))
    start_date = _date_field()
    end_date = _date_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError({"end_date": [_("The leave cannot end before it starts.")]})
        if (attrs["end_date"] - attrs["start_date"]).days + 1 > MAX_QUOTE_DAYS:
            raise serializers.ValidationError(
                {"end_date": [_("A leave cannot be longer than %(days)s days.") % {"days": MAX_QUOTE_DAYS}]}
            )
        return attrs


class SegmentSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    salary = _money_field()
    fte = serializers.DecimalField(max_digits=4, decimal_places=2)
    worked_working_days = serializers.IntegerField()
    earnings = _money_field()


class PaymentSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The payroll kind (salary, bonus_month, allowance, …).")
    amount = _money_field()
    document = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[calc.earnings.COUNTED, calc.earnings.NOT_COUNTED, calc.earnings.EXTRA_MONTHLY_BONUS],
        help_text="counted; not_counted (item 3: sick pay, vacation pay, other — or HR's choice); "
        "extra_monthly_bonus (item 15: one monthly bonus a month, the largest, counts).",
    )


class BonusSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="bonus_quarter or bonus_year.")
    month = serializers.CharField(help_text="YYYY-MM accrued.")
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    document = serializers.CharField()
    amount = _money_field()
    period_share = serializers.DecimalField(
        max_digits=9, decimal_places=4, help_text="1, or the period's months / the bonus period's months (item 15)."
    )
    worked_share = serializers.DecimalField(
        max_digits=9, decimal_places=4, help_text="Working days worked / working days of the period (item 15)."
    )
    indexation = serializers.DecimalField(max_digits=9, decimal_places=4, help_text="Item 16 factor.")
    counted = _money_field(help_text="amount × period_share × worked_share × indexation; 0 when not counted.")
    status = serializers.ChoiceField(
        choices=[
            calc.earnings.COUNTED,
            calc.earnings.PREVIOUS_YEAR,
            calc.earnings.NOT_COUNTED,
            calc.earnings.OUTSIDE_PERIOD,
        ],
        help_text="counted (accrued in the period); previous_year (the annual bonus for the previous calendar "
        "year, whatever its accrual date); not_counted; outside_period.",
    )


class LeavePartSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    daily = _money_field(help_text="The daily rate of these days.")
    indexation = serializers.DecimalField(
        max_digits=9, decimal_places=4, help_text="Item 16: raises after the period, up to these days."
    )
    minimum_wage_applied = serializers.BooleanField(help_text="Item 18: the minimum wage × FTE / 29.3 applied.")


class AverageEarningsSerializer(serializers.Serializer):
    method = serializers.CharField(help_text="period, previous_period, start_month or salary (items 4–8).")
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    payroll_months = serializers.IntegerField(help_text="Months of the period counted from imported payroll data.")
    salary_months = serializers.ListField(
        child=serializers.CharField(),
        help_text="Months (YYYY-MM) with no payroll data: counted from the salary × time worked, as before.",
    )
    worked_share = serializers.DecimalField(max_digits=9, decimal_places=4)
    bonuses = BonusSerializer(many=True, help_text="Quarterly and annual bonuses and what of each counted.")
    average_before = _money_field(allow_null=True, help_text="Earnings / days counted, before items 16 and 18.")
    indexation_after = serializers.DecimalField(
        max_digits=9, decimal_places=4, help_text="Item 16: raises after the period up to the leave's first day."
    )
    minimum_wage_daily = _money_field(allow_null=True, help_text="Item 18: the minimum wage × FTE / 29.3.")
    minimum_wage_applied = serializers.BooleanField()
    parts = LeavePartSerializer(many=True, help_text="Days of the leave by daily rate (a raise inside it splits).")


class BreakdownMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    source = serializers.ChoiceField(
        choices=["payroll", "salary"],
        help_text="payroll: the month's imported accruals; salary: no payroll data, salary × FTE × time worked.",
    )
    calendar_days = serializers.IntegerField()
    working_days = serializers.IntegerField()
    worked_calendar_days = serializers.IntegerField()
    worked_working_days = serializers.IntegerField()
    excluded_days = serializers.IntegerField()
    full = serializers.BooleanField()
    days_counted = serializers.DecimalField(
        max_digits=9, decimal_places=4, help_text="29.3 for a full month, else 29.3 / calendar days × days worked."
    )
    counted_pay = _money_field(help_text="What the month counts (items 2–3, 15) before the floor and indexation.")
    minimum_wage_floor = _money_field(
        allow_null=True, help_text="Art. 133: the minimum wage × FTE for the time worked, when it raised the month."
    )
    indexation = serializers.DecimalField(max_digits=9, decimal_places=4, help_text="Item 16 factor of the month.")
    earnings = _money_field(help_text="What enters the average: (floor or counted pay) × indexation.")
    payments = PaymentSerializer(many=True, help_text="The payroll month's accruals, counted or not.")
    segments = SegmentSerializer(many=True)


class DrawSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True, help_text="null: beyond every opened working year (in advance).")
    end = serializers.DateField(allow_null=True)
    days = _days_field()


class QuoteOutputSerializer(serializers.Serializer):
    employee = serializers.IntegerField(source="employee_id")
    leave_type = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    calendar_days = serializers.IntegerField()
    days_charged = _days_field()
    holidays_excluded = serializers.ListField(child=serializers.DateField())
    average_daily_earnings = _money_field(allow_null=True, help_text="null when the caller may not see earnings.")
    vacation_pay = _money_field(allow_null=True, help_text="null when the caller may not see earnings.")
    available_after = _days_field(allow_null=True, help_text="null for leave types without a balance.")
    breakdown = BreakdownMonthSerializer(many=True)
    average_earnings = AverageEarningsSerializer(
        allow_null=True, help_text="Regulation 922 working beyond the months; null when earnings are not shown."
    )
    warnings = serializers.ListField(child=serializers.CharField())
    needs_hr = serializers.BooleanField()
    pay_method = serializers.CharField(
        allow_null=True, help_text="period, previous_period, start_month or salary (Regulation 922, items 4–8)."
    )
    earnings_total = _money_field(allow_null=True)
    days_counted_total = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    working_year = WorkingYearSerializer(allow_null=True, help_text="The working year the leave starts in.")
    draws_on = DrawSerializer(many=True, help_text="Whose working years' days the leave uses, oldest first.")


class CalendarMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    working_days = serializers.IntegerField()
    # Whole hours: a 40-hour week's day is 8 h, or 7 h when shortened.
    hours_40 = serializers.IntegerField(source="hours")


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    shortened = serializers.BooleanField()
    name = serializers.CharField()


class CalendarYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    months = CalendarMonthSerializer(many=True)
    days = CalendarDaySerializer(many=True)
    provisional = serializers.BooleanField(
        help_text="True until HR loads the official calendar of the year or confirms it: computed from the fixed "
        "federal holidays only, without the government's transfers."
    )


class SettlementQuerySerializer(serializers.Serializer):
    employee = serializers.IntegerField(min_value=1)
    on = _date_field(help_text="The dismissal date: the last day of work (art. 84.1).")
    # Validated by the selector, which names the rule in its 400.
    ground = serializers.CharField(help_text="own_wish, agreement, liquidation, staff_reduction, call_up, …")


class SettlementLineSerializer(serializers.Serializer):
    leave_type = serializers.CharField()
    working_year = WorkingYearSerializer()
    months_counted = serializers.IntegerField(help_text="Months of this working year served, by rule 35.")
    entitled = _days_field()
    used = _days_field()
    unused = _days_field()
    rule = serializers.CharField(help_text="What gives `entitled`: art. 127, rule 28 or rules 28 and 35.")
    rule_code = serializers.ChoiceField(choices=calc.working_year.RULE_CODES)


class SettlementOutputSerializer(serializers.Serializer):
    employee = serializers.IntegerField(source="employee_id")
    on = serializers.DateField()
    ground = serializers.CharField()
    ground_article = serializers.CharField()
    unused_days = _days_field(help_text="Entitled + adjustments − used; negative when leave was used in advance.")
    compensated_days = _days_field(help_text="Art. 127: the days paid in money.")
    deductible_days = _days_field(help_text="Art. 137: days used in advance that may be deducted (0 on its grounds).")
    advance_days = _days_field(help_text="Days used for the unworked part of the working year.")
    month_by_month_days = _days_field(help_text="The accrual figure (28/12 a counted month) − used, for comparison.")
    average_daily_earnings = _money_field()
    compensation = _money_field(help_text="compensated_days × average daily earnings, rounded up to the kopeck.")
    lines = SettlementLineSerializer(many=True)
    breakdown = BreakdownMonthSerializer(many=True, help_text="The months of the average daily earnings.")
    average_earnings = AverageEarningsSerializer(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())
    recorded = serializers.SerializerMethodField(help_text="Id of the recorded settlement of this date, if any.")

    def get_recorded(self, obj: Any) -> int | None:
        return obj.recorded.pk if obj.recorded is not None else None
