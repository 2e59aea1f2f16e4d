from datetime import date
from decimal import Decimal

from staff.minimum_wage import minimum_wage


def test_the_amount_in_force_on_each_date():
    assert minimum_wage(date(2024, 12, 31)) == Decimal("19242")
    assert minimum_wage(date(2025, 1, 1)) == Decimal("22440")
    assert minimum_wage(date(2022, 5, 31)) == Decimal("13890")
    assert minimum_wage(date(2022, 6, 1)) == Decimal("15279")
    assert minimum_wage(date(2026, 7, 1)) == Decimal("27093")
    assert minimum_wage(date(2010, 1, 1)) == Decimal("11280")
