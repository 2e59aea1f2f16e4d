"""The federal minimum monthly wage (МРОТ) by the date each amount took effect.

Art. 133 of the Labour Code: monthly pay for a full norm of hours is not below it; Regulation 922 п. 18 uses
it as the floor of average monthly earnings. Amounts and the acts that set them (Federal Law 82-FZ of
19.06.2000 "On the minimum wage", art. 1, as amended):

- 01.01.2019  11 280 ₽  Federal Law 481-FZ of 25.12.2018
- 01.01.2020  12 130 ₽  Federal Law 463-FZ of 27.12.2019
- 01.01.2021  12 792 ₽  Federal Law 473-FZ of 29.12.2020
- 01.01.2022  13 890 ₽  Federal Law 406-FZ of 06.12.2021
- 01.06.2022  15 279 ₽  Government Decree 973 of 28.05.2022
- 01.01.2023  16 242 ₽  Federal Law 522-FZ of 19.12.2022
- 01.01.2024  19 242 ₽  Federal Law 548-FZ of 27.11.2023
- 01.01.2025  22 440 ₽  Federal Law 406-FZ of 29.10.2024
- 01.01.2026  27 093 ₽  the federal law on the МРОТ for 2026

Regional minimums (art. 133.1) may be higher; the portal applies the federal one. Add a row when a new
amount is enacted. Pure data and a lookup: every layer may import it.
"""

from datetime import date
from decimal import Decimal

MINIMUM_WAGE: tuple[tuple[date, Decimal], ...] = (
    (date(2019, 1, 1), Decimal("11280")),
    (date(2020, 1, 1), Decimal("12130")),
    (date(2021, 1, 1), Decimal("12792")),
    (date(2022, 1, 1), Decimal("13890")),
    (date(2022, 6, 1), Decimal("15279")),
    (date(2023, 1, 1), Decimal("16242")),
    (date(2024, 1, 1), Decimal("19242")),
    (date(2025, 1, 1), Decimal("22440")),
    (date(2026, 1, 1), Decimal("27093")),
)


def minimum_wage(on: date) -> Decimal:
    """The federal monthly minimum wage in force on `on` (the earliest known amount before 2019)."""
    amount = MINIMUM_WAGE[0][1]
    for since, value in MINIMUM_WAGE:
        if since > on:
            break
        amount = value
    return amount
