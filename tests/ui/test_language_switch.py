"""The header's RU/EN switch and the profile keep one language: the switch saves it on the employee's record;
public holidays are named in the reader's language."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from leave.holiday_names import holiday_name
from staff.models import Employee

QUOTE = {"leave_type": "annual", "start_date": "2026-04-27", "end_date": "2026-05-15"}


def test_the_switch_saves_the_language_on_the_profile(cast, login) -> None:
    client = login(cast.employee)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/profile/"})
    assert response.status_code == 302 and response["Location"] == "/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    cast.employee.refresh_from_db()
    assert cast.employee.language == "en"
    assert cast.employee.history.first().history_change_reason == "language"  # the audit row, with its actor
    # The profile page says what the header says.
    page = client.get(reverse("profile")).content.decode()
    assert '<html lang="en">' in page and '<option value="en" selected>' in page

    # A new browser (no cookie) opens in the saved language.
    fresh = login(cast.employee)
    response = fresh.get(reverse("dashboard"))
    assert b'<html lang="en">' in response.content


def test_the_switch_back_and_an_unknown_language(cast, login) -> None:
    Employee.objects.filter(pk=cast.employee.pk).update(language="en")
    client = login(cast.employee)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    cast.employee.refresh_from_db()
    assert cast.employee.language == "en"
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    cast.employee.refresh_from_db()
    assert cast.employee.language == "ru"


def test_a_visitor_who_is_not_signed_in_switches_with_the_cookie_alone(client, db) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert b'<html lang="en">' in client.get(reverse("login")).content


def test_holiday_names_in_english() -> None:
    assert holiday_name("День Победы", "en") == "Victory Day"
    assert holiday_name("Новогодние каникулы", "en-us") == "New Year holidays"
    assert holiday_name("День Победы", "ru") == "День Победы"
    assert holiday_name("День города", "en") == "День города"  # unknown: as stored


def test_the_quote_names_the_holidays_in_the_readers_language(cast, calendars, login) -> None:
    client = login(cast.employee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("leave-quote-fragment"), QUOTE).content.decode()
    assert "Spring and Labour Day" in english and "Victory Day" in english
    assert "Праздник" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    russian = client.get(reverse("leave-quote-fragment"), QUOTE).content.decode()
    assert "Праздник Весны и Труда" in russian and "День Победы" in russian
