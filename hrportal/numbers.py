"""Days and money inside sentences, written the way the active language writes numbers.

A template formats numbers by the locale by itself (`floatformat`); a Decimal interpolated into a translated
message with `%` does not ("доступно 132.33"). Messages built in Python pass their numbers through these, so
Russian reads "доступно 132,33" and "93 456,50 ₽" and English "132.33" and "93,456.50".
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format


def number(value: Decimal | int | float) -> str:
    """Days or an FTE with two decimals (leave is charged in hundredths), in the active locale's notation."""
    return number_format(value, decimal_pos=2, use_l10n=True)


def money(value: Decimal | int | float) -> str:
    """An amount of roubles with kopecks and thousands grouped, in the active locale's notation."""
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
