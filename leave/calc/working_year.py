"""Leave by working year: what the Labour Code grants, and what it owes on dismissal. No Django here.

- Art. 122: the whole leave of a working year is granted when the year opens (the first year's may be used
  after six months, earlier by agreement or for the categories of art. 122 part 3 / art. 123 part 4);
- carry-over: unused days of earlier working years stay available (art. 124 part 3 — the Code never
  extinguishes them; art. 127 pays them all on dismissal);
- art. 124 part 4: leave not granted two working years in a row is a breach;
- art. 127 with rules 28 and 35 of the 1930 Rules: the days compensated on dismissal;
- art. 137: leave used in advance and the grounds on which no deduction is made.

Days are Decimals with two places. Every rounding here goes up (ROUND_UP): it is "never against the
employee" (Rostrud, letter of 23.06.2006 No. 944-6 and later): days owed are never rounded down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal

from leave.calc.accrual import DAY_PRECISION, MONTHS_A_YEAR, ServiceTimeline, cumulative_entitlement

ZERO = Decimal("0.00")
RULE28_FULL_MONTHS = 11  # rule 28: at least 11 months of service counted toward the leave
# Rule 28: 5½ months on the listed grounds. Months are counted by rule 35 (a surplus of half a month or
# more is a month), so 5 months and 15 days are 6 counted months: the threshold in counted months is 6.
RULE28_LISTED_MONTHS = 6
FIRST_YEAR_WAIT_MONTHS = 6  # art. 122 part 2


def round_days_up(days: Decimal) -> Decimal:
    """To 0.01 day, rounding up: never against the employee (rule 35 practice, Rostrud)."""
    return Decimal(days).quantize(DAY_PRECISION, rounding=ROUND_UP)


@dataclass(frozen=True)
class WorkingYear:
    index: int  # 0: the first working year
    start: dt.date
    end: dt.date  # the day before the next working year starts (shifted by art. 121 exclusions)

    @property
    def number(self) -> int:
        return self.index + 1


def working_year_at(timeline: ServiceTimeline, index: int) -> WorkingYear:
    start, end = timeline.working_year_bounds(index)
    return WorkingYear(index=index, start=start, end=end)


def working_year_of(timeline: ServiceTimeline, on: dt.date) -> WorkingYear:
    """The working year `on` falls in (before the hire: the first; after the termination: the last)."""
    return working_year_at(timeline, timeline.working_year_index(on))


def working_years_opened(timeline: ServiceTimeline, on: dt.date) -> list[WorkingYear]:
    """Every working year that has started by `on` (none before the hire)."""
    if on < timeline.hire_date:
        return []
    return [working_year_at(timeline, index) for index in range(timeline.working_year_index(on) + 1)]


def entitled(timeline: ServiceTimeline, on: dt.date, yearly_days: Decimal) -> Decimal:
    """Art. 122: days granted for the working years opened by `on` — the whole year's days when it opens.

    The first year's days may be *used* after six months (earlier by agreement); that is the quote's
    routing to HR, never a smaller balance.
    """
    return (Decimal(yearly_days) * len(working_years_opened(timeline, on))).quantize(DAY_PRECISION)


def carried_over(timeline: ServiceTimeline, on: dt.date, yearly_days: Decimal, consumed: Decimal) -> Decimal:
    """Unused days of the working years before the current one: leave draws on the oldest year first."""
    earlier_years = max(len(working_years_opened(timeline, on)) - 1, 0)
    return max(Decimal(yearly_days) * earlier_years - Decimal(consumed), ZERO).quantize(DAY_PRECISION)


@dataclass(frozen=True)
class Draw:
    """Days of a leave charged to one working year's entitlement (or in advance of the next ones)."""

    year: WorkingYear | None  # None: beyond every opened year (days in advance, art. 137)
    days: Decimal


def draws_on(
    *, years: list[WorkingYear], yearly_days: Decimal, consumed_before: Decimal, requested: Decimal
) -> list[Draw]:
    """Which working years a leave of `requested` days draws on, the oldest first (FIFO).

    `consumed_before`: days used or booked before this leave (net of HR adjustments).
    """
    draws: list[Draw] = []
    left_before = Decimal(consumed_before)
    left = Decimal(requested)
    for year in years:
        room = Decimal(yearly_days)
        taken_before = min(max(left_before, ZERO), room)
        left_before -= taken_before
        room -= taken_before
        take = min(room, left)
        if take > 0:
            draws.append(Draw(year, take.quantize(DAY_PRECISION)))
            left -= take
        if left <= 0:
            break
    if left > 0:
        draws.append(Draw(None, left.quantize(DAY_PRECISION)))
    return draws


def first_year_right_from(timeline: ServiceTimeline) -> dt.date:
    """Art. 122 part 2: the first year's leave may be used after six months of continuous service."""
    return timeline.first_leave_due()


# --- art. 124 part 4 ---------------------------------------------------------------------------


def overdue_years(
    *, timeline: ServiceTimeline, on: dt.date, yearly_days: Decimal, consumed: Decimal
) -> list[tuple[WorkingYear, Decimal]]:
    """Working years whose leave was not granted in it nor in the next one (art. 124 part 4).

    Art. 124 part 3 lets leave move to the following working year at most; so days of year j still unused
    (oldest first) once year j + 2 has opened are a breach. The reading that flags the most: any days left,
    not only a wholly unused year.
    """
    years = working_years_opened(timeline, on)
    result = []
    left = Decimal(consumed)
    for year in years[:-2] if len(years) > 2 else []:
        taken = min(max(left, ZERO), Decimal(yearly_days))
        left -= taken
        unused = Decimal(yearly_days) - taken
        if unused > 0:
            result.append((year, unused.quantize(DAY_PRECISION)))
    return result


# --- dismissal: art. 127, rules 28 and 35, art. 137 ----------------------------------------------


@dataclass(frozen=True)
class Ground:
    code: str
    article: str
    rule28: bool  # rule 28: full compensation after 5½ months of the working year
    no_deduction: bool  # art. 137 part 2 p. 4: leave used in advance is not deducted


# Rule 28 lists: liquidation of the enterprise or its part, staff reduction, reorganisation or temporary
# stoppage of work, call-up to military service, transfer to another employer, unfitness for the work, going
# to study. Art. 137 part 2 p. 4 lists: art. 77 p. 8, art. 81 p. 1, 2, 4, art. 83 p. 1, 2, 5, 6, 7.
GROUNDS: dict[str, Ground] = {
    g.code: g
    for g in (
        Ground("own_wish", "art. 77 p. 3, art. 80", rule28=False, no_deduction=False),
        Ground("agreement", "art. 77 p. 1, art. 78", rule28=False, no_deduction=False),
        Ground("contract_end", "art. 77 p. 2, art. 79", rule28=False, no_deduction=False),
        Ground("transfer", "art. 77 p. 5", rule28=True, no_deduction=False),
        Ground("study", "art. 80 part 3 (going to study)", rule28=True, no_deduction=False),
        Ground("refused_medical_transfer", "art. 77 p. 8", rule28=True, no_deduction=True),
        Ground("liquidation", "art. 81 p. 1", rule28=True, no_deduction=True),
        Ground("staff_reduction", "art. 81 p. 2", rule28=True, no_deduction=True),
        Ground("unfit_qualification", "art. 81 p. 3", rule28=True, no_deduction=False),
        Ground("owner_change", "art. 81 p. 4", rule28=False, no_deduction=True),
        Ground("misconduct", "art. 81 p. 5–11", rule28=False, no_deduction=False),
        Ground("call_up", "art. 83 p. 1", rule28=True, no_deduction=True),
        Ground("reinstatement", "art. 83 p. 2", rule28=False, no_deduction=True),
        Ground("incapacity", "art. 83 p. 5", rule28=True, no_deduction=True),
        Ground("death", "art. 83 p. 6", rule28=False, no_deduction=True),
        # Emergency circumstances that stop the work (war, catastrophe): read as rule 28's "temporary
        # stoppage of work" — the reading that protects the employee.
        Ground("emergency", "art. 83 p. 7", rule28=True, no_deduction=True),
    )
}


class SettlementError(ValueError):
    """Bad input for a settlement; `rule` names the rule broken (the API's 400 says it)."""

    def __init__(self, message: str, *, rule: str, field_name: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.field_name = field_name


@dataclass(frozen=True)
class SettlementLine:
    year: WorkingYear
    months_counted: int  # in this working year, by rule 35
    entitled: Decimal  # days this year gives on dismissal
    used: Decimal  # days charged to it, oldest year first
    unused: Decimal
    rule: str  # what gives `entitled`, in words (English, for the API)
    rule_code: str = ""  # the same as a code the pages translate: RULE_CODES


# whole_year: a working year before the current one (art. 127); served: the current one served whole;
# rule28_11: 11 months or more; rule28_listed: 5½ months on a listed ground; proportional: rules 28 and 35.
RULE_CODES = ("whole_year", "served", "rule28_11", "rule28_listed", "proportional")


@dataclass(frozen=True)
class Settlement:
    termination_date: dt.date
    ground: Ground
    lines: list[SettlementLine]
    adjustments: Decimal
    used: Decimal
    unused_days: Decimal  # entitled + adjustments − used; negative when leave was used in advance
    compensated_days: Decimal  # art. 127: max(unused, 0)
    advance_days: Decimal  # used for the unworked part of the working year (art. 137)
    deductible_days: Decimal  # advance days, or 0 on the grounds art. 137 protects
    month_by_month: Decimal  # the accrual figure (28/12 a counted month) minus used, for comparison
    notes: list[str] = field(default_factory=list)


def _current_year_days(months: int, yearly_days: Decimal, ground: Ground) -> tuple[Decimal, str, str]:
    if months >= MONTHS_A_YEAR:
        return Decimal(yearly_days), "art. 127: the whole working year served", "served"
    if months >= RULE28_FULL_MONTHS:
        return Decimal(yearly_days), "rule 28: 11 months or more served (counted by rule 35) — full leave", "rule28_11"
    if ground.rule28 and months >= RULE28_LISTED_MONTHS:
        return (
            Decimal(yearly_days),
            f"rule 28: 5½ months or more, dismissed on {ground.article} — full leave",
            "rule28_listed",
        )
    # Rules 28 and 35: in proportion, yearly/12 per counted month, rounded up (never against the employee).
    return (
        round_days_up(Decimal(yearly_days) * months / MONTHS_A_YEAR),
        f"rules 28, 35: {months} counted month(s) × {yearly_days}/12",
        "proportional",
    )


def settle(
    *,
    timeline: ServiceTimeline,
    termination_date: dt.date,
    ground: str,
    yearly_days: Decimal,
    used: Decimal,
    adjustments: Decimal = ZERO,
) -> Settlement:
    """The leave owed (or used in advance) on dismissal on `termination_date`, by working year.

    `timeline` is the employee's (art. 121 exclusions applied); service ends on `termination_date`, the last
    day worked (art. 84.1). `used`: every annual day charged (approved leave); `adjustments`: HR's net days.
    """
    if ground not in GROUNDS:
        raise SettlementError(
            f"Unknown ground {ground!r}; one of: {', '.join(GROUNDS)}.", rule="art. 77", field_name="ground"
        )
    if termination_date < timeline.hire_date:
        raise SettlementError(
            f"The dismissal date {termination_date} is before the hire date {timeline.hire_date}.",
            rule="art. 84.1",
            field_name="on",
        )
    ground_rule = GROUNDS[ground]
    served = ServiceTimeline(
        hire_date=timeline.hire_date, excluded_days=timeline.excluded_days, termination_date=termination_date
    )
    yearly = Decimal(yearly_days)
    months_total = served.months_counted(termination_date)
    years = working_years_opened(served, termination_date)
    left_used = Decimal(used)
    lines = []
    for year in years:
        months = min(max(months_total - MONTHS_A_YEAR * year.index, 0), MONTHS_A_YEAR)
        if year.index < len(years) - 1:
            days, rule, code = yearly, "art. 127: a whole working year", "whole_year"
        else:
            days, rule, code = _current_year_days(months, yearly, ground_rule)
        taken = min(max(left_used, ZERO), days)
        left_used -= taken
        lines.append(
            SettlementLine(
                year=year,
                months_counted=months,
                entitled=days.quantize(DAY_PRECISION),
                used=taken.quantize(DAY_PRECISION),
                unused=(days - taken).quantize(DAY_PRECISION),
                rule=rule,
                rule_code=code,
            )
        )
    total_entitled = sum((line.entitled for line in lines), ZERO)
    unused = (total_entitled + Decimal(adjustments) - Decimal(used)).quantize(DAY_PRECISION)
    advance = max(-unused, ZERO)
    notes = []
    if advance > 0 and ground_rule.no_deduction:
        notes.append(
            f"{advance} day(s) used in advance are not deducted: dismissal on {ground_rule.article} "
            "(art. 137 part 2 p. 4)."
        )
    elif advance > 0:
        notes.append(
            f"{advance} day(s) used in advance of the unworked part of the working year may be deducted "
            "(art. 137 part 2 p. 4), at most 20 % of the final pay (art. 138)."
        )
    return Settlement(
        termination_date=termination_date,
        ground=ground_rule,
        lines=lines,
        adjustments=Decimal(adjustments).quantize(DAY_PRECISION),
        used=Decimal(used).quantize(DAY_PRECISION),
        unused_days=unused,
        compensated_days=max(unused, ZERO),
        advance_days=advance,
        deductible_days=ZERO if ground_rule.no_deduction else advance,
        month_by_month=(cumulative_entitlement(months_total, yearly) + Decimal(adjustments) - Decimal(used)).quantize(
            DAY_PRECISION
        ),
        notes=notes,
    )


def compensation(days: Decimal, average_daily: Decimal) -> Decimal:
    """Art. 127 money: days × average daily earnings (Reg. 922 item 10), rounded up to the kopeck —
    never against the employee."""
    return (Decimal(days) * Decimal(average_daily)).quantize(Decimal("0.01"), rounding=ROUND_UP)


# --- art. 128 and 263: unpaid leave the employer must grant -------------------------------------


@dataclass(frozen=True)
class UnpaidReason:
    code: str
    article: str
    max_days: int | None  # a calendar year; None: by agreement, no statutory limit
    mandatory: bool  # the employer cannot refuse (the manager acknowledges)
    per_event: bool = False  # the limit is per event (a birth, a marriage, a death), not per year


UNPAID_REASONS: dict[str, UnpaidReason] = {
    r.code: r
    for r in (
        UnpaidReason("agreement", "art. 128 part 1", None, mandatory=False),
        UnpaidReason("wwii_participant", "art. 128 part 2", 35, mandatory=True),
        UnpaidReason("old_age_pensioner", "art. 128 part 2", 14, mandatory=True),
        UnpaidReason("serviceman_family", "art. 128 part 2", 14, mandatory=True),
        UnpaidReason("disabled", "art. 128 part 2", 60, mandatory=True),
        UnpaidReason("child_birth", "art. 128 part 2", 5, mandatory=True, per_event=True),
        UnpaidReason("marriage", "art. 128 part 2", 5, mandatory=True, per_event=True),
        UnpaidReason("relative_death", "art. 128 part 2", 5, mandatory=True, per_event=True),
        # Art. 263: parents of two or more children under 14, of a disabled child, single parents — up to
        # 14 days where the collective agreement provides it; the employer must then grant them.
        UnpaidReason("parent_263", "art. 263", 14, mandatory=True),
    )
}


def unpaid_days_left(*, reason: str, used_this_year: Iterable[Decimal]) -> Decimal | None:
    """Days of a statutory reason still available in the calendar year (None: no statutory limit)."""
    rule = UNPAID_REASONS[reason]
    if rule.max_days is None:
        return None
    if rule.per_event:
        return Decimal(rule.max_days)
    return max(Decimal(rule.max_days) - sum(used_this_year, ZERO), ZERO)
