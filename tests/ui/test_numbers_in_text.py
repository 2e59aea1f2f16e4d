"""Days and money in sentences follow the active language: "доступно 132,33" in Russian, "132.33" in English."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hrportal import numbers
from hrportal.errors import ValidationFailed
from leave import services


def test_numbers_follow_the_active_language() -> None:
    with translation.override("ru"):
        assert numbers.number(Decimal("132.33")) == "132,33"
        assert numbers.number(Decimal(7)) == "7,00"
        assert numbers.money(Decimal("93456.5")) == "93\xa0456,50"
    with translation.override("en"):
        assert numbers.number(Decimal("132.33")) == "132.33"
        assert numbers.money(Decimal("93456.5")) == "93,456.50"


@pytest.mark.django_db
def test_the_balance_error_of_the_ledger_writes_a_decimal_comma_in_russian(cast, calendars) -> None:
    from leave import selectors

    available = selectors.balance(employee=cast.employee, leave_type="annual", on=dt.date(2025, 7, 14)).available
    asked = available + Decimal("0.01")
    with translation.override("ru"), pytest.raises(ValidationFailed) as error:
        services.leave_reserve(
            request_id=1,
            employee=cast.employee,
            leave_type="annual",
            start_date=dt.date(2025, 7, 14),
            end_date=dt.date(2025, 7, 27),
            days=asked,
        )
    shown = f"{available:.2f}".replace(".", ","), f"{asked:.2f}".replace(".", ",")
    assert error.value.detail == {
        "end_date": [f"Недостаточно дней отпуска: доступно {shown[0]}, запрошено {shown[1]}."]
    }


@pytest.mark.django_db
def test_the_quote_warns_of_the_balance_with_a_decimal_comma_in_russian(cast, calendars, login) -> None:
    client = login(cast.employee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(
        reverse("leave-quote-fragment"), {"leave_type": "annual", "start_date": "2026-01-12", "end_date": "2026-12-20"}
    )
    html = response.content.decode()
    assert re.search(r"доступно -?\d+,\d\d, запрошено \d+,\d\d\.", html), html
    assert not re.search(r"доступно -?\d+\.\d", html)
